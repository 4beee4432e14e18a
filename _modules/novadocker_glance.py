"""
Execution module for the novadocker formula: Glance's side, the container formats it accepts.

Which section a Glance release reads ``container_formats`` from and its default list are release
facts (``_utils/novadocker_releases.py``, ``novadocker.glance_info``); glance-api.conf is read
with the formula's one INI reader (``_utils/novadocker_ini.py``). Writing goes through
``novadocker_conf.apply`` like every other config edit. What the running glance-api accepts
is read from its own image schema (:py:func:`live_container_formats`,
``_utils/novadocker_glance_api.py``).
"""

__virtualname__ = "novadocker_glance"


def __virtual__():
    return __virtualname__


def container_formats(path, formats, section="image_format", default_formats=None):
    """
    Work out the ``container_formats`` list Glance should get so that it accepts ``formats``,
    without writing anything.

    What Glance reads today: ``container_formats`` in ``section`` if set, else (when
    ``section`` is not ``DEFAULT``) the deprecated ``[DEFAULT] container_formats`` alias if
    set, else ``default_formats``, the release's own default list. The new list is that list
    plus each of ``formats`` not already in it, order kept.

    Return ``{"section": section, "old": [...], "new": [...], "source": <where old came
    from: the section name, "DEFAULT" or "default">}``.

    path
        glance-api.conf.

    formats
        The formats Glance must accept (a list or a comma-separated string), e.g.
        ``docker,dockerref``.

    section
        Where the release reads the option: ``image_format`` from icehouse on, ``DEFAULT``
        before (see ``novadocker.glance_info``).

    default_formats
        The release's default list, used when the file sets none.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_glance.container_formats /etc/glance/glance-api.conf \\
            docker,dockerref default_formats=ami,ari,aki,bare,ovf,ova,docker
    """
    _ini("check_section")(section)
    wanted = _ini("as_list")(formats, "formats")
    defaults = _ini("as_list")(default_formats, "default_formats")
    doc = _ini("read")(path, oslo=True)[2]
    sources = [section] if _ini("norm_section")(section) == "DEFAULT" else [section, "DEFAULT"]
    for source in sources:
        values = doc.values(source, "container_formats")
        if values:
            old = [item.strip() for item in values[-1].split(",") if item.strip()]
            break
    else:
        source = "default"
        old = defaults
    new = list(old)
    for name in wanted:
        if name not in new:
            new.append(name)
    return {"section": section, "old": old, "new": new, "source": source}


def live_container_formats(url=None, formats=None, wait=0):
    """
    Ask the running glance-api whether it accepts the container formats: ``GET
    <url>/v2/schemas/image`` and its ``container_format`` enum, which glance-api builds from
    the ``container_formats`` it read at its start. A glance-api that was not restarted since
    glance-api.conf changed, or that reads another file, is reported.

    Returns ``{"ok", "url", "container_formats", "missing", "problems"}``; never raises.

    url
        glance-api on this node; defaults to pillar ``novadocker:image:api:url``.

    formats
        The formats it must accept (a list or a comma-separated string); defaults to pillar
        ``novadocker:image:container_formats``.

    wait
        Seconds to keep asking, once a second, while glance-api does not answer or does not
        list them yet (a service coming back from its restart); 0 asks once.

    A glance-api behind Keystone (``flavor = keystone``) shows its schema only with a token:
    the credentials are pillar ``novadocker:image:api:cloud`` (a clouds.yaml entry) or
    ``:auth`` (keystoneauth options; openstacksdk must then be installed in Salt's Python).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_glance.live_container_formats
        salt '*' novadocker_glance.live_container_formats http://10.0.0.5:9292 docker wait=30
    """
    conf = __salt__["novadocker.settings"](cached_defaults=True, reveal=True)
    api = conf["image"]["api"]
    wanted = _ini("as_list")(
        conf["image"]["container_formats"] if formats is None else formats, "formats"
    )
    return __utils__["novadocker_glance_api.live_formats"](
        url or api["url"],
        wanted,
        access=conf["access"]["image_api"],
        wait=wait,
        timeout=api["timeout"],
        where="novadocker:image:api",
    )


# -- the formula's shared code (_utils), through the loader --------------------


def _ini(name):
    return __utils__["novadocker_ini.{}".format(name)]
