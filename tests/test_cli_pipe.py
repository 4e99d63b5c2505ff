"""A reader that leaves early (``minnet exercise list | head -1``) gets no traceback."""

import os
import subprocess
import sys


def test_a_closed_pipe_ends_the_command_quietly():
    command = [sys.executable, "-c",
               "import sys; from minnet.cli import main; sys.exit(main(['exercise', 'list']))"]
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has left before the first line: every write fails
    try:
        result = subprocess.run(command, stdout=write_end, stderr=subprocess.PIPE, text=True,
                                timeout=120)
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert result.returncode == 1
