# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Applies the parts that pillar enables on this node, and nothing else:
      compute:enabled  -> novadocker.compute   (else novadocker.compute.clean: reverts what
                                                the formula did, a no-op on a node it never
                                                touched)
      image:enabled    -> novadocker.image     (else novadocker.image.clean)
      images:enabled   -> novadocker.images    (else novadocker.images.clean: published images
                                                stay in Glance)
    With an invalid pillar only the validation state renders, and fails. #}
{%- set tplroot = tpldir.split('/')[0] %}
{%- from tplroot ~ "/map.jinja" import novadocker with context %}

include:
  - {{ tplroot }}.validate
{%- if novadocker.valid %}
  - {{ tplroot }}.compute{{ '' if novadocker.compute.enabled else '.clean' }}
  - {{ tplroot }}.image{{ '' if novadocker.image.enabled else '.clean' }}
  - {{ tplroot }}.images{{ '' if novadocker.images.enabled else '.clean' }}
{%- endif %}
