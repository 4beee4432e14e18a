# -*- coding: utf-8 -*-
# vim: ft=sls

{#- The Docker daemon must be reachable, speak the API version the driver release pins, and
    not expose a world-writable socket, before the node is switched. The nova user's access to
    the socket is the socket step's business (it comes after and verifies it). A tcp:// daemon
    is reached with the TLS settings the driver will build from the [docker] options nova will
    read (nova.conf's, with the formula's keys over them); TLS the driver would not verify, and
    plain TCP to another host, are refused unless pillar accepts them (compute:unsafe_*); the
    TLS files must be readable by the nova user, the key not by others. test=True reports the
    problems without failing the run. #}
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
    - options: {{ novadocker.compute.docker | json }}
    - nova_conf: {{ novadocker.paths.nova_conf | json }}
    - chain: {{ novadocker.nova_chain | json }}
    - root: {{ novadocker.root | json }}
    - tls_user: {{ novadocker.compute.user | json }}
    - unsafe_unverified_tls: {{ novadocker.compute.unsafe_unverified_tls | json }}
    - unsafe_plain_tcp: {{ novadocker.compute.unsafe_plain_tcp | json }}
    - require:
      - novadocker_nova: novadocker-compute-driver-loadable
{%- if novadocker.runtime.manage %}
      - service: novadocker-runtime-service
{%- endif %}
