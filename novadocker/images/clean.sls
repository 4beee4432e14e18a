# -*- coding: utf-8 -*-
# vim: ft=sls

{#- Turning images off (or novadocker.clean) leaves the published images in Glance: instances
    booted from them need them to rebuild or evacuate, and another node may publish them now.
    Delete them by hand when no instance uses them (openstack image delete <id>; the formula's
    carry the property docker_image_id). Nothing is asked of Glance here: a node without
    openstacksdk runs this too. #}

novadocker-images-clean:
  test.show_notification:
    - text: >-
        novadocker:images is off: the images the formula published stay in Glance
        (instances may need them); delete them with openstack image delete if none does
