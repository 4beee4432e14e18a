# -*- coding: utf-8 -*-
# vim: ft=sls

{#- The rootwrap filter the driver ships (etc/nova/rootwrap.d/docker.filters), root-owned 0644.
    Overridable through TOFS (novadocker:tofs). Before creating it, the formula records that it
    did, so novadocker.clean removes only a filter the formula put there. rootwrap reads filters
    on every call: a change here needs no nova-compute restart. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}
{%- from tplroot ~ "/libtofs.jinja" import files_switch with context %}
{%- set filter = novadocker.paths.rootwrap_filter %}

include:
  - .daemon

novadocker-compute-rootwrap-record:
  novadocker.file_creation_recorded:
    - name: {{ novadocker.records.rootwrap | json }}
    - path: {{ filter | json }}
    - require:
      - novadocker_daemon: novadocker-compute-daemon

novadocker-compute-rootwrap-filter:
  file.managed:
    - name: {{ filter | json }}
    - source: {{ files_switch(['docker.filters'], lookup='novadocker-compute-rootwrap-filter') }}
    - user: root
    - group: root
    - mode: '0644'
    - require:
      - novadocker_daemon: novadocker-compute-daemon
      - novadocker: novadocker-compute-rootwrap-record
