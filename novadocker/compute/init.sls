# -*- coding: utf-8 -*-
# vim: ft=sls

{#- A docker compute node, in this order (each step requires the one before, so a failure
    leaves every later step untouched and nova.conf on its previous compute_driver):
      validate pillar -> nova.conf present -> [Docker engine, if runtime:manage] -> driver
      installed and importable -> daemon valid -> rootwrap filter -> socket access ->
      nova.conf switch -> nova-compute restart (only on changes it reads) #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - .preflight
{%- if novadocker.runtime.manage %}
  - .runtime
{%- endif %}
  - .driver
  - .daemon
  - .rootwrap
  - .socket
  - .config
{%- if novadocker.compute.service %}
  - .service
{%- endif %}
