# -*- coding: utf-8 -*-
# vim: ft=sls

{#- glance-api restarted only when its container formats changed (in this run, or in an earlier
    run that failed before the restart: the change recorded the restart it owes). Then the
    proof that the running glance-api took them: its live image schema lists the formats
    (image:api; image:api:verify false leaves it out). #}
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
{%- if novadocker.image.api.verify %}

novadocker-image-api-accepts:
  novadocker_glance.api_accepts:
    - name: {{ novadocker.image.api.url | json }}
    - formats: {{ novadocker.image.container_formats | json }}
    - wait: {{ novadocker.image.api.wait | json }}
    - conf: {{ novadocker.paths.glance_api_conf | json }}
    - section: {{ novadocker.glance.section | json }}
    - default_formats: {{ novadocker.glance.default_formats | json }}
    - marker: {{ novadocker.restart_marker.image | json }}
    - skip_unready: {{ novadocker.unsafe_skip_readiness_gates | json }}
    - require:
      - novadocker: novadocker-image-service-restart
{%- endif %}
{%- endif %}
