# -*- coding: utf-8 -*-
# vim: ft=sls

{#- nova-compute restarted when, and only when, something it reads changed: nova.conf, the
    driver's code, or the nova user's groups (a process picks up new groups at start). #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - .config

novadocker-compute-service-restart:
  module.run:
    - service.restart:
      - name: {{ novadocker.compute.service | json }}
    # Only once the switch succeeded: a failed step leaves nova-compute alone too.
    - require:
      - novadocker_conf: novadocker-compute-nova-conf
    - onchanges:
      - novadocker_conf: novadocker-compute-nova-conf
      - novadocker_driver: novadocker-compute-driver
      - novadocker_daemon: novadocker-compute-socket-access
