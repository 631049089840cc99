"""model-index.yml lists every recipe through the per-method metafiles, as OpenMMLab's mim reads them."""
import configparser
import glob
import os.path as osp

import yaml
from conftest import ROOT


def read_index(index_file):
    """Models of a model-index, read as mim does: `Import` paths relative to the index file."""
    with open(index_file) as f:
        index = yaml.safe_load(f)
    models, collections = [], []
    for path in index['Import']:
        with open(osp.join(osp.dirname(index_file), path)) as f:
            meta = yaml.safe_load(f)
        models += meta['Models']
        collections += meta['Collections']
    return models, collections


def test_every_recipe_is_listed_once_with_its_metadata():
    models, collections = read_index(osp.join(ROOT, 'mmiekd', '.mim', 'model-index.yml'))  # the installed view
    recipes = sorted(osp.relpath(p, ROOT) for method in ('kd', 'iekd', 'sskd', 'iakd')
                     for p in glob.glob(osp.join(ROOT, 'configs', method, '*.py'))
                     + glob.glob(osp.join(ROOT, 'configs', method, 'tiny', '*.py'))
                     if 'teacher' not in osp.basename(p))
    assert sorted(m['Config'] for m in models) == recipes
    assert len({m['Name'] for m in models}) == len(models), 'names are unique'
    names = {c['Name'] for c in collections}
    for model in models:
        assert model['In Collection'] in names
        assert osp.isfile(osp.join(ROOT, 'mmiekd', '.mim', model['Config']))
        meta = model['Metadata']
        assert meta['Training Resources'] and meta['Training Data'] and ('Teacher' in meta or 'Networks' in meta)
        for result in model.get('Results', []):
            assert '/tiny/' in model['Config'], 'results only where measured (the embedded tracks)'
            assert all(isinstance(v, float) for v in result['Metrics'].values())
    detection = [m for m in models if m['Config'].endswith('faster_rcnn_r50_r101.py')]
    assert detection and all(m['Metadata']['Teacher Weights'].startswith('https://download.openmmlab.com/')
                             for m in detection), 'detection recipes name their teacher\'s zoo URL'


def test_tensorboard_is_an_optional_extra():
    cfg = configparser.ConfigParser()
    cfg.read(osp.join(ROOT, 'setup.cfg'))
    assert cfg['options.extras_require']['tensorboard'].split() == ['tensorboard']
    assert 'tensorboard' not in cfg['options']['install_requires']
