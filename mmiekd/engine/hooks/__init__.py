from .teacher_val_hook import TeacherValHook

__all__ = ['TeacherValHook']
