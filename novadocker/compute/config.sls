# -*- coding: utf-8 -*-
# vim: ft=sls

{#- The switch: [DEFAULT] compute_driver and the [docker] options, in one atomic write of
    nova.conf that changes only these keys (every other byte, owner and mode stay). Requires
    every readiness step before it. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - .socket

novadocker-compute-nova-conf:
  novadocker_conf.options:
    - name: {{ novadocker.paths.nova_conf | json }}
    - options: {{ novadocker.nova_options | json }}
    - record: {{ novadocker.records.nova_conf | json }}
    - restart_marker: {{ novadocker.restart_marker.compute | json }}
    # the novadocker grain reads nova.conf: the running minion reloads it on a change
    - refresh_grains: true
    - missing_message: 'nova.conf not found at {path}: is nova-compute installed?'
    - require:
      - novadocker_daemon: novadocker-compute-socket-access
