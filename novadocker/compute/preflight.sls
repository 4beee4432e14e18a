# -*- coding: utf-8 -*-
# vim: ft=sls

{#- The formula configures an installed nova-compute; it never invents nova.conf. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - {{ tplroot }}.validate

novadocker-compute-nova-conf-present:
  novadocker.config_present:
    - name: {{ novadocker.paths.nova_conf | json }}
    - message: 'nova.conf not found at {path}: is nova-compute installed?'
    - require:
      # The run's lock (taken once the pillar is valid; only the validation renders else).
      - novadocker: novadocker-{{ 'run-lock' if novadocker.valid else 'pillar-valid' }}
