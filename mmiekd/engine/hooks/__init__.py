from .iekd_autoencoder_hook import IEKDAutoEncoderHook
from .peer_val_hook import PeerValHook
from .teacher_val_hook import TeacherValHook, evaluate_with

__all__ = ['TeacherValHook', 'IEKDAutoEncoderHook', 'PeerValHook', 'evaluate_with']
