# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Puts glance-api.conf's container_formats back as it was before the formula first changed
    it (byte-identical when nothing else changed), and restarts glance-api if it changed. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - {{ tplroot }}.validate

novadocker-image-clean-glance-api-conf:
  novadocker_conf.reverted:
    - name: {{ novadocker.paths.glance_api_conf | json }}
    - record: {{ novadocker.records.glance_api_conf | json }}
    - restart_marker: {{ novadocker.restart_marker.image | json }}
    - require:
      # The run's lock (taken once the pillar is valid; only the validation renders else).
      - novadocker: novadocker-{{ 'run-lock' if novadocker.valid else 'pillar-valid' }}
{%- if novadocker.image.service %}

novadocker-image-clean-service-restart:
  novadocker.service_restarted:
    - name: {{ novadocker.image.service | json }}
    - marker: {{ novadocker.restart_marker.image | json }}
    - require:
      - novadocker_conf: novadocker-image-clean-glance-api-conf
{%- endif %}
