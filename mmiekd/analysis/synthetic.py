"""Synthetic batches of a recipe's task, as its dataloader would give them."""
import torch


def synthetic_batch(model, batch: int, size, seed: int = 0, base_size=None) -> dict:
    """A batch as the dataloader gives it: uint8 images and labelled data samples for the model's task.

    Args:
        model: The network whose task the samples are labelled for (an mmdet detector or mmpretrain classifier).
        batch (int): Number of images.
        size (tuple): (H, W) of the images.
        seed (int): Seed of the pixels and labels.
        base_size (tuple, optional): (H, W): draw the images (and boxes) at this size and resize them to
            ``size`` (bilinear), as a pipeline's ``Resize`` shows the same scene at another resolution; images
            of one ``seed`` and ``base_size`` then hold the same content at every ``size``. Default: drawn at
            ``size`` (independent pixels).
    """
    g = torch.Generator().manual_seed(seed)
    h, w = size
    bh, bw = base_size or size
    inputs = [torch.randint(0, 256, (3, bh, bw), generator=g, dtype=torch.uint8) for _ in range(batch)]
    if (bh, bw) != (h, w):
        inputs = [torch.nn.functional.interpolate(img[None].float(), size=(h, w), mode='bilinear',
                                                  align_corners=False)[0].round().clamp(0, 255).to(torch.uint8)
                  for img in inputs]
    module = type(model).__module__
    if module.startswith('mmdet.'):
        from mmdet.structures import DetDataSample
        from mmengine.structures import InstanceData
        head = model.roi_head.bbox_head if hasattr(model, 'roi_head') else model.bbox_head
        num_classes = (head[0] if isinstance(head, torch.nn.ModuleList) else head).num_classes  # Cascade: stages
        samples = []
        for _ in range(batch):
            xy = torch.rand(4, 2, generator=g) * torch.tensor([w * 0.6, h * 0.6])
            wh = torch.rand(4, 2, generator=g) * torch.tensor([w * 0.35, h * 0.35]) + 8 * min(h / bh, w / bw)
            sample = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.)))
            sample.gt_instances = InstanceData(bboxes=torch.cat([xy, xy + wh], 1),
                                               labels=torch.randint(0, num_classes, (4, ), generator=g))
            samples.append(sample)
    else:
        from mmpretrain.structures import DataSample
        num_classes = model.head.num_classes
        samples = [DataSample().set_gt_label(int(torch.randint(0, num_classes, (1, ), generator=g)))
                   for _ in range(batch)]
    return dict(inputs=inputs, data_samples=samples)
