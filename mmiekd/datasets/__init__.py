from .digit_scenes import DIGIT_SCENES_CLASSES, ensure_digit_scenes, generate_digit_scenes
from .digits import DIGITS_CLASSES, ensure_digits, generate_digits
from .shapes_coco import SHAPES_CLASSES, ShapesCocoDataset, ensure_shapes_coco, generate_shapes_coco

__all__ = ['generate_shapes_coco', 'ensure_shapes_coco', 'SHAPES_CLASSES', 'ShapesCocoDataset',
           'generate_digits', 'ensure_digits', 'DIGITS_CLASSES',
           'generate_digit_scenes', 'ensure_digit_scenes', 'DIGIT_SCENES_CLASSES']
