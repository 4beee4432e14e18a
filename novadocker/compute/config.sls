# -*- coding: utf-8 -*-
# vim: ft=sls

{#- The switch: [DEFAULT] compute_driver and the [docker] options where nova-compute reads
    them (compute:config_files, compute:config_dirs: each key in the file whose value wins
    today, else in compute:nova_conf), each file written atomically with only these keys
    changed (every other byte, owner and mode stay); the file holding compute_driver last.
    Requires every readiness step before it. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - .socket

novadocker-compute-nova-conf:
  novadocker_nova.switched:
    - name: {{ novadocker.paths.nova_conf | json }}
    - options: {{ novadocker.nova_options | json }}
    - python: {{ novadocker.driver.python | json }}
    - chain: {{ novadocker.nova_chain | json }}
    - root: {{ novadocker.root | json }}
    - record: {{ novadocker.records.nova_conf | json }}
    - state_dir: {{ novadocker.paths.state_dir | json }}
    - restart_marker: {{ novadocker.restart_marker.compute | json }}
    - missing_message: 'nova.conf not found at {path}: is nova-compute installed?'
    - require:
      - novadocker_daemon: novadocker-compute-socket-access
