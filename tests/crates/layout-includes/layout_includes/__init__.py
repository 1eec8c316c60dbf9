from ._ext import ping
