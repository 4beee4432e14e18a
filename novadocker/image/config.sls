# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Adds image:container_formats to the formats Glance allows today, in the section the
    release reads ([image_format] since icehouse, [DEFAULT] before), keeping every format
    already allowed wherever the file sets them; with none set, Glance's default list for the
    release is the start. Only that key changes in glance-api.conf. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - {{ tplroot }}.validate

novadocker-image-glance-api-conf-present:
  novadocker.config_present:
    - name: {{ novadocker.paths.glance_api_conf | json }}
    - message: 'glance-api.conf not found at {path}: is glance-api installed?'
    - require:
      # The run's lock (taken once the pillar is valid; only the validation renders else).
      - novadocker: novadocker-{{ 'run-lock' if novadocker.valid else 'pillar-valid' }}

novadocker-image-container-formats:
  novadocker_glance.container_formats:
    - name: {{ novadocker.paths.glance_api_conf | json }}
    - formats: {{ novadocker.image.container_formats | json }}
    - section: {{ novadocker.glance.section | json }}
    - default_formats: {{ novadocker.glance.default_formats | json }}
    - note: {{ novadocker.glance.note | json }}
    - record: {{ novadocker.records.glance_api_conf | json }}
    - restart_marker: {{ novadocker.restart_marker.image | json }}
    - missing_message: 'glance-api.conf not found at {path}: is glance-api installed?'
    - require:
      - novadocker: novadocker-image-glance-api-conf-present
