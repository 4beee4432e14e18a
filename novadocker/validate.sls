# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Runs before any other state of the formula: every other state requires it, so a bad pillar
    is reported in full (each key path, bad value and what is accepted) and nothing changes. #}

novadocker-pillar-valid:
  novadocker.pillar_valid:
    - name: novadocker
