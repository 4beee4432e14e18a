# -*- coding: utf-8 -*-
# vim: ft=sls

{#- An image node: Glance accepts docker and dockerref container formats. #}

include:
  - .config
  - .service
