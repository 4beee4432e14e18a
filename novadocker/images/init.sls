# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Docker images published into Glance, one state per entry of images:publish: docker save
    from the daemon at images:docker_host_url streamed to Glance (container_format docker,
    disk_format raw, the image's name in Docker), once per Docker image ID. The credentials
    (images:cloud, images:auth) are read by the state module from pillar: never rendered
    here. Needs openstacksdk in Salt's Python. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - {{ tplroot }}.validate
{%- for entry in novadocker.images.publish %}

{{ ("novadocker-images-published-" ~ entry.name) | json }}:
  novadocker_images.published:
    - name: {{ entry.name | json }}
    - visibility: {{ entry.visibility | json }}
    - properties: {{ entry.properties | json }}
    - require:
      - novadocker: novadocker-pillar-valid
{%- endfor %}
