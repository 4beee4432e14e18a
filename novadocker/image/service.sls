# -*- coding: utf-8 -*-
# vim: ft=sls

{#- glance-api restarted only when its container formats changed (in this run, or in an earlier
    run that failed before the restart: the change recorded the restart it owes). #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - .config
{%- if novadocker.image.service %}

novadocker-image-service-restart:
  novadocker.service_restarted:
    - name: {{ novadocker.image.service | json }}
    - marker: {{ novadocker.restart_marker.image | json }}
    - require:
      - novadocker_glance: novadocker-image-container-formats
{%- endif %}
