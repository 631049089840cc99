from .iakd_distiller import IAKDDistiller, IAKDSwapBlock
from .iedml_distiller import IEDMLDistiller
from .iekd_distiller import IEKDDistiller
from .output_recorder import OutputRecorder, StopForward
from .sskd_distiller import SSKDDistiller
from .single_teacher_distiller import SingleTeacherDistiller, as_levels, teacher_weights_not_needed
from .teacher_inputs import TeacherInputAdapter

__all__ = [
    'SingleTeacherDistiller', 'IEKDDistiller', 'IEDMLDistiller', 'SSKDDistiller', 'IAKDDistiller', 'IAKDSwapBlock',
    'OutputRecorder', 'StopForward', 'TeacherInputAdapter', 'as_levels', 'teacher_weights_not_needed'
]
