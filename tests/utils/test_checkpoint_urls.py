"""Teacher checkpoints by URL: downloaded once through MMEngine's loader, then loaded with the same safety
(weights_only=True, allow-list) and the same strict key/shape check as local files. Served from 127.0.0.1."""
import functools
import http.server
import os
import threading

import pytest
import torch
from torch import nn

from mmiekd.utils import UnsafeCheckpointError, load_weights_strictly


class _Exploit:
    """Pickles as a call to os.system: what weights_only=True exists to stop."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.system, (f'touch {self.path}', )


def net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))


@pytest.fixture
def server(tmp_path, monkeypatch):
    """An HTTP server on 127.0.0.1 serving tmp_path/served; yields (base URL, list of requested paths)."""
    served = tmp_path / 'served'
    served.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            return super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    try:
        yield f'http://127.0.0.1:{httpd.server_address[1]}', served, requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_good_checkpoint_loads_strictly_and_is_downloaded_once(server, tmp_path):
    base, served, requests = server
    source = net()
    with torch.no_grad():
        source[0].weight.add_(1.0)
    torch.save({'state_dict': source.state_dict(), 'meta': {'epoch': 12}}, served / 'teacher-f513f705.pth')
    for _ in range(2):
        target = net()
        load_weights_strictly(target, f'{base}/teacher-f513f705.pth', 'teacher_ckpt')
        assert torch.equal(target[0].weight, source[0].weight)
    assert requests == ['/teacher-f513f705.pth'], 'the second load reads the cache'
    assert (tmp_path / 'torch_home' / 'hub' / 'checkpoints' / 'teacher-f513f705.pth').is_file(), 'the torch hub cache'


def test_code_carrying_checkpoint_is_refused_without_running(server, tmp_path):
    base, served, _ = server
    marker = tmp_path / 'pwned'
    torch.save({'state_dict': net().state_dict(), 'evil': _Exploit(str(marker))}, served / 'evil.pth')
    with pytest.raises(UnsafeCheckpointError, match=r'Refusing to load checkpoint "http://127\.0\.0\.1.*evil\.pth"'):
        load_weights_strictly(net(), f'{base}/evil.pth', 'teacher_ckpt')
    assert not marker.exists(), 'the payload must never run'


def test_wrong_architecture_names_the_key_and_the_mismatch(server):
    base, served, _ = server
    torch.save(nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8)).state_dict(), served / 'other.pth')
    with pytest.raises(ValueError, match=r'`teacher_ckpt`=.*other\.pth.*shape mismatches.*0\.weight'):
        load_weights_strictly(net(), f'{base}/other.pth', 'teacher_ckpt')


def test_a_url_to_nothing_fails_clearly(server):
    base, _, _ = server
    with pytest.raises(Exception, match='404|Not Found'):
        load_weights_strictly(net(), f'{base}/missing.pth', 'teacher_ckpt')


def test_a_distiller_takes_its_teacher_from_a_url(server):
    from conftest import tiny_classifier

    from mmiekd.models import SingleTeacherDistiller
    from mmiekd.registry import MODELS
    from mmiekd.utils import with_build_scopes
    base, served, _ = server
    torch.manual_seed(1)
    teacher = MODELS.build(with_build_scopes(tiny_classifier(8)))
    torch.save({'state_dict': teacher.state_dict()}, served / 'teacher.pth')
    model = SingleTeacherDistiller(
        student=tiny_classifier(4), teacher=tiny_classifier(8), teacher_ckpt=f'{base}/teacher.pth',
        distill=dict(logits=dict(student='head.fc', teacher='head.fc', loss=dict(type='mmiekd.KDLoss'))))
    assert all(torch.equal(v, teacher.state_dict()[k]) for k, v in model.teacher.state_dict().items())
