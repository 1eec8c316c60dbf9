from ._rs import add
