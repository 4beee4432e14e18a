# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Rolling rollout of the formula over the fleet, from the master:

      salt-run state.orchestrate novadocker.orch.rollout
      salt-run state.orchestrate novadocker.orch.rollout \
          pillar='{"novadocker": {"orch": {"batch_size": 2}}}'

    The image nodes first, then the Docker images published into Glance (novadocker.images
    on the nodes whose pillar enables images), then the compute nodes in batches; each step is
    checked (novadocker.check; the publishing step by its states) and the rollout stops at the
    first failing step (the runner novadocker.rollout, _runners/novadocker.py, does the work and
    returns what was done and what was not). Options come from the orchestrate pillar
    novadocker:orch (the master's own pillar, or pillar= on the command line): image_target,
    compute_target, images_target, tgt_type, batch_size, sls, saltenv, timeout, ping_timeout,
    allow_missing, test. Unknown keys fail the run. #}
{%- set orch = salt['pillar.get']('novadocker:orch', {}) %}

novadocker-orch-sync-runners:
  salt.runner:
    - name: saltutil.sync_runners

novadocker-orch-rollout:
  salt.runner:
    - name: novadocker.rollout
{%- for key, value in orch | dictsort %}
    - {{ key }}: {{ value | json }}
{%- endfor %}
    - require:
      - salt: novadocker-orch-sync-runners
