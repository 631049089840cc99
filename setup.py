"""Installs mmiekd and ships configs/ and tools/ inside the package as ``mmiekd/.mim/`` (like mmdet), so
that ``mmiekd::iekd/faster_rcnn_r50_r101.py`` config paths resolve for users who installed the package.

Editable installs (``pip install -e .``) link the folders; regular installs copy them.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import setup

ROOT = osp.dirname(osp.abspath(__file__))
MIM_ITEMS = ('configs', 'tools', 'model-index.yml')


def add_mim_extension():
    """Links (editable) or copies (wheel/sdist) configs/, tools/ and model-index.yml into mmiekd/.mim/."""
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'symlink'
    elif any(cmd in sys.argv for cmd in ('install', 'bdist_wheel', 'sdist', 'build')):
        mode = 'copy'
    else:
        return
    mim_path = osp.join(ROOT, 'mmiekd', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_ITEMS:
        src = osp.join(ROOT, name)
        dst = osp.join(mim_path, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


add_mim_extension()
setup()
