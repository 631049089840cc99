from .iekd_autoencoder_hook import IEKDAutoEncoderHook
from .teacher_val_hook import TeacherValHook

__all__ = ['TeacherValHook', 'IEKDAutoEncoderHook']
