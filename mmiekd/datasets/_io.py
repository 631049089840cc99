"""Small file helpers shared by the embedded-dataset generators.

Both generators follow the same contract: ``meta.json`` is written last and records the generation
parameters, so a dataset whose ``meta.json`` exists and matches the requested parameters is complete
and does not need to be rebuilt.
"""
import inspect
import json
import os
import os.path as osp
import re
from typing import Any, Callable, Dict, Optional

from mmiekd.utils.atomic_io import atomic_write

META_FILE = 'meta.json'


def to_jsonable(value: Any) -> Any:
    """Converts tuples to lists and numpy scalars to Python ones, recursively.

    Parameters are compared after a JSON round trip, so they must be stored exactly as JSON reads
    them back (a tuple would otherwise never equal the list loaded from ``meta.json``).
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, 'item') and callable(value.item):  # numpy scalar
        return value.item()
    return value


def write_json(path: str, obj: Any, indent: Optional[int] = None) -> None:
    """Writes ``obj`` as JSON through a temporary file, so readers never see half a file."""
    atomic_write(path, json.dumps(obj, indent=indent) + '\n')


def read_meta(out_dir: str) -> Optional[Dict[str, Any]]:
    """Returns the parsed ``meta.json`` of ``out_dir``, or ``None`` if missing or unreadable."""
    path = osp.join(out_dir, META_FILE)
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def remove_meta(out_dir: str) -> None:
    """Removes ``meta.json`` before regenerating, so an interrupted run is never trusted."""
    path = osp.join(out_dir, META_FILE)
    if osp.exists(path):
        os.remove(path)


def clear_generated_pngs(folder: str, name_pattern: str) -> None:
    """Deletes PNG files in ``folder`` whose names match ``name_pattern`` (a regex on the stem).

    Only files with the generator's own naming scheme are removed, so stale images of a previous,
    larger dataset do not linger while anything else a user put there is left alone.
    """
    if not osp.isdir(folder):
        return
    pattern = re.compile(name_pattern + r'\.png')
    for name in os.listdir(folder):
        if pattern.fullmatch(name):
            os.remove(osp.join(folder, name))


def ensure_generated(generate: Callable[..., Dict[str, Any]], normalise: Callable[..., Dict[str, Any]],
                     is_complete: Callable[[str, Dict[str, Any]], bool],
                     summary: Callable[..., Dict[str, Any]], out_dir: str, **kwargs) -> Dict[str, Any]:
    """Runs ``generate(out_dir, **kwargs)`` unless ``out_dir`` already holds its output for these arguments.

    The arguments (defaults filled in, then ``normalise``-d) are compared with the ``params`` recorded in
    ``out_dir/meta.json``; ``is_complete`` checks that the files are all there.
    """
    bound = inspect.signature(generate).bind(out_dir, **kwargs)
    bound.apply_defaults()
    args = dict(bound.arguments)
    args.pop('out_dir')
    meta = read_meta(out_dir)
    if meta is not None and meta.get('params') == normalise(**args) and is_complete(out_dir, meta):
        return summary(out_dir, meta, generated=False)
    return generate(out_dir, **kwargs)


def format_summary(info: Dict[str, Any]) -> str:
    """What the dataset converters print about a generated (or present) COCO-format dataset."""
    state = 'wrote' if info['generated'] else 'already up to date:'
    lines = [f"{state} {info['out_dir']} (classes: {', '.join(info['classes'])})"]
    for split in ('train', 'val'):
        counts = ', '.join(f'{k} {v}' for k, v in info['class_counts'][split].items())
        lines.append(f"  {split}: {info[f'num_{split}']} images in {info[f'{split}_img_dir']}, "
                     f"{info['num_objects'][split]} objects ({info['num_dropped'][split]} dropped) -> "
                     f"{info[f'{split}_ann_file']}")
        lines.append(f'    per class: {counts}')
    lines.append(f"  parameters: {info['meta_file']}")
    return '\n'.join(lines)
