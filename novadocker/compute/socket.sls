# -*- coding: utf-8 -*-
# vim: ft=sls

{#- The nova user joins the socket's group (compute:socket_group). The socket is never made
    world-writable; where it already is, the state says so. Membership of the socket's group is
    equivalent to root on the host: it is what nova-compute needs, not more. A tcp:// daemon
    needs no socket: the state then does nothing, and says so. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - .rootwrap

novadocker-compute-socket-access:
  novadocker_daemon.socket_access:
    - name: {{ novadocker.compute.user | json }}
    - group: {{ novadocker.compute.socket_group | json }}
    - socket: {{ novadocker.socket | json }}
    - host_url: {{ novadocker.docker_url | json }}
    - record: {{ novadocker.records.socket_access | json }}
    - restart_marker: {{ novadocker.restart_marker.compute | json }}
    - skip_unready: {{ novadocker.unsafe_skip_readiness_gates | json }}
    - require:
      - file: novadocker-compute-rootwrap-filter
