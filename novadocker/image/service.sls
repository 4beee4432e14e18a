# -*- coding: utf-8 -*-
# vim: ft=sls

{#- glance-api restarted only when its container formats changed. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - .config
{%- if novadocker.image.service %}

novadocker-image-service-restart:
  module.run:
    - service.restart:
      - name: {{ novadocker.image.service | json }}
    - require:
      - novadocker_conf: novadocker-image-container-formats
    - onchanges:
      - novadocker_conf: novadocker-image-container-formats
{%- endif %}
