# -*- coding: utf-8 -*-
# vim: ft=sls

{#- nova-compute restarted when, and only when, something it reads changed: its config files,
    the driver's code (and the shim), or the nova user's groups (a process picks up new groups at start). Each of
    those steps records the restart it owes at once (restart_marker), so a run that fails after
    one of them leaves the restart owed, and the next successful run pays it. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - .config

novadocker-compute-service-restart:
  novadocker.service_restarted:
    - name: {{ novadocker.compute.service | json }}
    - marker: {{ novadocker.restart_marker.compute | json }}
    # Only once the switch succeeded: a failed step leaves nova-compute alone too (the
    # restart stays owed in the marker for the next run).
    - require:
      - novadocker_nova: novadocker-compute-nova-conf
