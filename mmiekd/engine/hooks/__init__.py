from .atomic_checkpoint_hook import AtomicCheckpointHook
from .iakd_swap_hook import IAKDSwapHook
from .iekd_autoencoder_hook import IEKDAutoEncoderHook
from .peer_val_hook import PeerValHook
from .sskd_stage_hook import SSKDStageHook
from .teacher_val_hook import TeacherValHook, evaluate_with
from .val_random_state_hook import ValRandomStateHook

__all__ = ['AtomicCheckpointHook', 'TeacherValHook', 'IAKDSwapHook', 'IEKDAutoEncoderHook', 'PeerValHook', 'SSKDStageHook', 'evaluate_with',
           'ValRandomStateHook']
