# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Optional (runtime:manage, off by default): the Docker engine package for the os_family,
    its daemon.json, and the service running and enabled. Off, the formula only validates the
    daemon the operator runs. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}
{%- set runtime = novadocker.runtime %}

include:
  - .preflight

novadocker-runtime-package:
  pkg.installed:
    - name: {{ runtime.package | json }}
    - require:
      - novadocker: novadocker-compute-nova-conf-present

novadocker-runtime-daemon-json:
  file.serialize:
    - name: {{ novadocker.paths.daemon_json | json }}
    - dataset: {{ runtime.daemon_config | json }}
    - serializer: json
    - user: root
    - group: root
    - mode: '0644'
    - makedirs: true
    - require:
      - pkg: novadocker-runtime-package

novadocker-runtime-service:
  service.running:
    - name: {{ runtime.service | json }}
    - enable: true
    - watch:
      - file: novadocker-runtime-daemon-json
    - require:
      - pkg: novadocker-runtime-package
