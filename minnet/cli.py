"""The ``minnet`` command: ``minnet demo``, ``minnet --version``."""

import argparse
import os
import sys

import minnet


def _demo(args):
    from minnet.demo import run_demo

    print("minnet demo: the MNIST-1D residual MLP (40-100-[100]-10, Adam lr 1e-2, batch 100)")
    print("Generating MNIST-1D locally (cached after the first run) ...", flush=True)
    plot_path = os.path.abspath(args.plot)
    result = run_demo(steps=args.steps, seed=args.seed, progress=not args.no_progress,
                      plot_path=plot_path)
    print(f"Trained {result.steps} steps in {result.seconds:.1f} s")
    print(f"Train accuracy: {100 * result.train_accuracy:.1f}%")
    print(f"Test accuracy:  {100 * result.test_accuracy:.1f}%  (the MNIST-1D paper reports 68%)")
    print(f"Loss curves written to {result.plot_path}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="minnet",
        description="minnet: a from-scratch NumPy neural-network library for learning and "
                    "debugging.")
    parser.add_argument("--version", action="version", version=f"minnet {minnet.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="train the MNIST-1D MLP and print its test accuracy")
    demo.add_argument("--steps", type=int, default=6000, help="optimizer steps (default 6000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--plot", default="minnet-demo-loss.png",
                      help="where to write the loss-curve PNG (default ./minnet-demo-loss.png)")
    demo.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    demo.set_defaults(run=_demo)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "steps", 1) < 1:
        parser.error(f"--steps must be >= 1, got {args.steps}")
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
