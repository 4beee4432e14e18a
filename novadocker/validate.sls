# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Runs before any other state of the formula: every other state requires the lock, which
    requires the validation, so a bad pillar is reported in full (each key path, bad value and
    what is accepted, and a TOFS override that resolves to no file) and nothing changes. Then
    the run takes the node's lock (two runs of the formula never interleave) and removes what
    a killed run left (the formula's temporary files). #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}
{%- from tplroot ~ "/libtofs.jinja" import files_switch with context %}

novadocker-pillar-valid:
  novadocker.pillar_valid:
    - name: novadocker
{%- if novadocker.valid and novadocker.compute.enabled %}
    - sources:
        novadocker-compute-rootwrap-filter: {{ files_switch(['docker.filters'], lookup='novadocker-compute-rootwrap-filter', indent_width=10) }}
{%- endif %}
{%- if novadocker.valid %}

novadocker-run-lock:
  novadocker.locked:
    - name: {{ novadocker.paths.state_dir | json }}
    - timeout: {{ novadocker.lock_timeout | json }}
    - strays: {{ novadocker.stray_paths | json }}
    - require:
      - novadocker: novadocker-pillar-valid
{%- endif %}
