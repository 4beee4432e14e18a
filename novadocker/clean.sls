# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Reverses what the formula did on this node, part by part, from the records it kept the
    first time it changed anything: nova.conf and glance-api.conf get their original values back
    (byte-identical when nothing else changed in between), the rootwrap filter and the driver go
    only if the formula put them there, the nova user leaves the socket group only if the
    formula added it. Images published into Glance stay there (novadocker.images.clean). #}
{%- set tplroot = tpldir.split('/')[0] %}

include:
  - {{ tplroot }}.compute.clean
  - {{ tplroot }}.image.clean
  - {{ tplroot }}.images.clean
