"""How distances between feature maps are normalised: the authors' unit L2 norm, or a scale-free unit RMS."""
import torch
import torch.nn.functional as F

#: ``normalize`` values of the map distances (FT, IE, AT).
NORMALIZE_FORMS = ('l2', 'rms')


def check_normalize(value, owner: str) -> str:
    """``normalize`` must be ``'l2'`` or ``'rms'`` (checked when the loss is built); ``owner`` names the loss."""
    if value not in NORMALIZE_FORMS:
        raise ValueError(f'`normalize` of {owner} must be one of {list(NORMALIZE_FORMS)}, got {value!r}')
    return value


def unit_map(x: torch.Tensor, normalize: str = 'l2') -> torch.Tensor:
    """Each sample's map flattened and normalised as a whole.

    ``'l2'`` (the FT, IE-KD and AT authors' form): unit L2 norm. Its elements are of size ``1/sqrt(D)``, so
    a mean of differences over them shrinks as ``1/sqrt(D)`` and its gradient as ``1/D``: on detection the
    pull of a fixed loss weight depends on the input size and on the FPN level.
    ``'rms'``: unit root mean square, i.e. the ``'l2'`` map times ``sqrt(D)``: the same direction (the same
    distance up to a constant factor per map size), with values and gradients that do not depend on ``D``.

    Shapes:
        x: (N, ...) -> (N, D), D the number of elements of one sample.
    """
    flat = F.normalize(x.flatten(1), dim=1)
    if normalize == 'rms':
        flat = flat * flat.shape[1]**0.5
    return flat
