# -*- coding: utf-8 -*-
# vim: ft=sls

{#- nova-docker installed from a zip archive of its git tree into nova's Python environment
    (driver:python), with PBR_VERSION set from driver:version (a git archive has no git metadata
    for pbr). A re-apply with that version installed downloads nothing and runs no pip. Then the
    gate: nova, in that interpreter, loads the driver the way its load_compute_driver does
    (from newton on through the formula's shim nova/virt/docker/); proved once per change of
    nova's environment. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}
{%- set driver = novadocker.driver %}

include:
  - .preflight

novadocker-compute-driver:
  novadocker_driver.installed:
    - name: {{ driver.python | json }}
    - source: {{ driver.source | json }}
    - source_hash: {{ driver.source_hash | json }}
    - version: {{ driver.version | json }}
    - pip_args: {{ driver.pip_args | json }}
    - unsafe_skip_source_hash: {{ driver.unsafe_skip_source_hash | json }}
    - skip_unready: {{ novadocker.unsafe_skip_readiness_gates | json }}
    - record: {{ novadocker.records.driver | json }}
    - restart_marker: {{ novadocker.restart_marker.compute | json }}
    - require:
      - novadocker: novadocker-compute-nova-conf-present

novadocker-compute-driver-loadable:
  novadocker_nova.driver_loadable:
    - name: {{ driver.python | json }}
    - compute_driver: {{ novadocker.compute.compute_driver | json }}
    - version: {{ driver.version | json }}
    - record: {{ novadocker.records.nova_shim | json }}
    - restart_marker: {{ novadocker.restart_marker.compute | json }}
    - skip_unready: {{ novadocker.unsafe_skip_readiness_gates | json }}
    - require:
      - novadocker_driver: novadocker-compute-driver
