# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Reverses the compute part from the formula's records, switch first: every file of
    nova-compute's config chain gets its original compute_driver and [docker] keys back, the
    shim in nova's tree goes, then the socket group membership, the
    rootwrap filter and the driver go (each only if the formula added it), then nova-compute is
    restarted if anything it reads changed. A node the formula never touched gets no change. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - {{ tplroot }}.validate

novadocker-compute-clean-nova-conf:
  novadocker_nova.unswitched:
    - name: {{ novadocker.paths.nova_conf | json }}
    - record: {{ novadocker.records.nova_conf | json }}
    - state_dir: {{ novadocker.paths.state_dir | json }}
    - restart_marker: {{ novadocker.restart_marker.compute | json }}
    - require:
      - novadocker: novadocker-pillar-valid

novadocker-compute-clean-shim:
  novadocker_nova.shim_absent:
    - name: {{ novadocker.driver.python | json }}
    - record: {{ novadocker.records.nova_shim | json }}
    - restart_marker: {{ novadocker.restart_marker.compute | json }}
    - require:
      - novadocker_nova: novadocker-compute-clean-nova-conf

novadocker-compute-clean-socket-access:
  novadocker_daemon.socket_access_revoked:
    - name: {{ novadocker.compute.user | json }}
    - group: {{ novadocker.compute.socket_group | json }}
    - record: {{ novadocker.records.socket_access | json }}
    - restart_marker: {{ novadocker.restart_marker.compute | json }}
    - require:
      - novadocker_nova: novadocker-compute-clean-nova-conf

novadocker-compute-clean-rootwrap-filter:
  novadocker.recorded_file_absent:
    - name: {{ novadocker.paths.rootwrap_filter | json }}
    - record: {{ novadocker.records.rootwrap | json }}
    - require:
      - novadocker_nova: novadocker-compute-clean-nova-conf

novadocker-compute-clean-driver:
  novadocker_driver.removed:
    - name: {{ novadocker.driver.python | json }}
    - record: {{ novadocker.records.driver | json }}
    - restart_marker: {{ novadocker.restart_marker.compute | json }}
    - require:
      - novadocker_nova: novadocker-compute-clean-nova-conf
{%- if novadocker.compute.service %}

novadocker-compute-clean-service-restart:
  novadocker.service_restarted:
    - name: {{ novadocker.compute.service | json }}
    - marker: {{ novadocker.restart_marker.compute | json }}
    # The steps above record the restart they owe in the marker; run after them.
    - require:
      - novadocker_nova: novadocker-compute-clean-nova-conf
      - novadocker_driver: novadocker-compute-clean-driver
      - novadocker_daemon: novadocker-compute-clean-socket-access
      - novadocker_nova: novadocker-compute-clean-shim
{%- endif %}
