# -*- coding: utf-8 -*-
# vim: ft=sls

{#- The Docker daemon must be reachable, speak the API version the driver release pins, and
    not expose a world-writable socket, before the node is switched. The nova user's access to
    the socket is the socket step's business (it comes after and verifies it). test=True
    reports the problems without failing the run. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - .driver
{%- if novadocker.runtime.manage %}
  - .runtime
{%- endif %}

novadocker-compute-daemon:
  novadocker_daemon.valid:
    - name: {{ novadocker.docker_url | json }}
    - api_version: {{ novadocker.api_version | json }}
    - skip_unready: {{ novadocker.unsafe_skip_readiness_gates | json }}
    - require:
      - novadocker_nova: novadocker-compute-driver-loadable
{%- if novadocker.runtime.manage %}
      - service: novadocker-runtime-service
{%- endif %}
