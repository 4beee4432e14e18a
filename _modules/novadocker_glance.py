"""
Execution module for the novadocker formula: Glance's side, the container formats it accepts.

Which section a Glance release reads ``container_formats`` from and its default list are release
facts (``_utils/novadocker_releases.py``, ``novadocker.glance_info``); glance-api.conf is read
with the formula's one INI reader (``_utils/novadocker_ini.py``). Writing goes through
``novadocker_conf.apply`` like every other config edit.
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


# -- the formula's shared code (_utils), through the loader --------------------


def _ini(name):
    return __utils__["novadocker_ini.{}".format(name)]
