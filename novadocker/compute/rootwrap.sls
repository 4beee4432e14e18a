# -*- coding: utf-8 -*-
# vim: ft=sls

{#- The rootwrap filter the driver ships (etc/nova/rootwrap.d/docker.filters), root-owned 0644.
    Overridable through TOFS (novadocker:tofs; the pillar validation checks that the list
    resolves). Written atomically through a temporary file whose name starts with a dot
    (oslo.rootwrap loads every other file of rootwrap.d); recorded once the formula created it,
    so novadocker.clean removes only a filter the formula put there. rootwrap reads filters on
    every call: a change here needs no nova-compute restart. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}
{%- from tplroot ~ "/libtofs.jinja" import files_switch with context %}

include:
  - .daemon

novadocker-compute-rootwrap-filter:
  novadocker.file_installed:
    - name: {{ novadocker.paths.rootwrap_filter | json }}
    - sources: {{ files_switch(['docker.filters'], lookup='novadocker-compute-rootwrap-filter') }}
    - record: {{ novadocker.records.rootwrap | json }}
    - user: root
    - group: root
    - mode: '0644'
    - require:
      - novadocker_daemon: novadocker-compute-daemon
