#!/usr/bin/env python3
"""Keras twin of a Quench preset, for test/bench/train-speed.ts: the same layers, batch size,
optimizer, loss and L2 on one fixed synthetic batch set, trained with model.fit on TensorFlow's CPU
kernels (all cores). A bench-only optional peer: nothing in the app or the tests needs it, and the
bench only runs it when `python3 -c "import tensorflow"` works.

Settings mirror train-setup.ts: 'float' (no k-WTA, float32), 'kwta' (the preset's k-WTA layers as a
top-k mask), 'quant' (the preset's weight / activation / input bits as fake quantization with
straight-through gradients), 'kwta+quant' (both, the preset as shipped).

Usage: python3 keras-twin.py --spec models/audio-small.json --setting float
         [--classes 10] [--steps 30] [--reps 7]
Prints one JSON object on the last line of stdout.
"""
import argparse
import json
import math
import os
import platform
import statistics
import time

import numpy as np
import tensorflow as tf
import keras


class KWinners(keras.layers.Layer):
    """k-WTA across channels at every location: the k = ceil(fraction·C) largest positive values
    pass, the rest become 0; the gradient flows through the winners (a top-k mask)."""

    def __init__(self, fraction, **kwargs):
        super().__init__(**kwargs)
        self.fraction = fraction

    def call(self, x):
        c = x.shape[-1]
        k = max(1, min(c, math.ceil(self.fraction * c - 1e-9)))
        kth = tf.math.top_k(x, k=k).values[..., k - 1 : k]
        mask = tf.cast(tf.logical_and(x >= kth, x > 0), x.dtype)
        return x * tf.stop_gradient(mask)


class ActivationQuant(keras.layers.Layer):
    """Unsigned fake quantization over [0, EMA of the batch max] (momentum 0.99), as Quench's."""

    def __init__(self, bits, **kwargs):
        super().__init__(**kwargs)
        self.bits = bits

    def build(self, input_shape):
        self.top = self.add_weight(name="top", shape=(), initializer="zeros", trainable=False)
        self.seen = self.add_weight(name="seen", shape=(), initializer="zeros", trainable=False)

    def call(self, x, training=False):
        if training:
            batch_max = tf.reduce_max(x)
            self.top.assign(
                tf.where(self.seen > 0, 0.99 * self.top + 0.01 * batch_max, batch_max)
            )
            self.seen.assign(1.0)
        top = tf.stop_gradient(tf.maximum(tf.convert_to_tensor(self.top), 1e-8))
        return tf.quantization.fake_quant_with_min_max_vars(x, 0.0, top, num_bits=self.bits)


class InputQuant(keras.layers.Layer):
    """Asymmetric fake quantization of the input over the EMA of the batch range."""

    def __init__(self, bits, **kwargs):
        super().__init__(**kwargs)
        self.bits = bits

    def build(self, input_shape):
        self.lo = self.add_weight(name="lo", shape=(), initializer="zeros", trainable=False)
        self.hi = self.add_weight(name="hi", shape=(), initializer="zeros", trainable=False)
        self.seen = self.add_weight(name="seen", shape=(), initializer="zeros", trainable=False)

    def call(self, x, training=False):
        if training:
            lo, hi = tf.reduce_min(x), tf.reduce_max(x)
            self.lo.assign(tf.where(self.seen > 0, 0.99 * self.lo + 0.01 * lo, lo))
            self.hi.assign(tf.where(self.seen > 0, 0.99 * self.hi + 0.01 * hi, hi))
            self.seen.assign(1.0)
        lo = tf.stop_gradient(tf.minimum(tf.convert_to_tensor(self.lo), 0.0))
        hi = tf.stop_gradient(tf.maximum(tf.convert_to_tensor(self.hi), lo + 1e-8))
        return tf.quantization.fake_quant_with_min_max_vars(x, lo, hi, num_bits=self.bits)


def quantized_kernel(w, bits):
    """Symmetric per-output-channel fake quantization, straight-through (range not differentiated)."""
    m = tf.stop_gradient(tf.maximum(tf.reduce_max(tf.abs(w), axis=list(range(len(w.shape) - 1))), 1e-8))
    return tf.quantization.fake_quant_with_min_max_vars_per_channel(
        w, -m, m, num_bits=bits, narrow_range=True
    )


class QConv2D(keras.layers.Conv2D):
    def __init__(self, bits, **kwargs):
        super().__init__(**kwargs)
        self.bits = bits

    def call(self, x):
        w = quantized_kernel(self.kernel, self.bits) if self.bits < 32 else self.kernel
        y = tf.nn.conv2d(x, w, strides=list(self.strides), padding=self.padding.upper())
        return y + self.bias if self.use_bias else y


class QDense(keras.layers.Dense):
    def __init__(self, bits, **kwargs):
        super().__init__(**kwargs)
        self.bits = bits

    def call(self, x):
        w = quantized_kernel(self.kernel, self.bits) if self.bits < 32 else self.kernel
        y = tf.matmul(x, w)
        return y + self.bias if self.use_bias else y


def build(spec, setting, classes):
    kwta = setting in ("kwta", "kwta+quant")
    quant = setting in ("quant", "kwta+quant")
    q = spec["quant"]
    l2 = spec.get("training", {}).get("l2", 1e-4)
    reg = keras.regularizers.L2(l2) if l2 > 0 else None
    layers = spec["layers"]
    inputs = keras.Input(shape=tuple(spec["input"]["shape"]))
    h = InputQuant(q["inputBits"])(inputs) if quant and q["inputBits"] < 32 else inputs
    for i, layer in enumerate(layers):
        t = layer["type"]
        nxt = layers[i + 1]["type"] if i + 1 < len(layers) else None
        wbits = layer.get("weightBits", q["weightBits"]) if quant else 32
        abits = layer.get("actBits", q["actBits"]) if quant else 32
        if t == "conv":
            k = layer["kernel"]
            h = QConv2D(
                wbits,
                filters=layer["filters"],
                kernel_size=tuple(k) if isinstance(k, list) else (k, k),
                strides=layer.get("stride", 1),
                padding=layer.get("padding", "same"),
                use_bias=nxt != "batchnorm",
                kernel_initializer="he_normal",
                kernel_regularizer=reg,
            )(h)
        elif t == "dense":
            h = QDense(
                wbits,
                units=layer.get("units", classes),
                use_bias=nxt != "batchnorm",
                kernel_initializer="he_normal",
                kernel_regularizer=reg,
            )(keras.layers.Flatten()(h) if len(h.shape) > 2 else h)
        elif t == "batchnorm":
            h = keras.layers.BatchNormalization(
                momentum=layer.get("momentum", 0.9),
                epsilon=layer.get("epsilon", 1e-3),
                gamma_regularizer=reg,
            )(h)
        elif t == "relu":
            h = keras.layers.ReLU()(h)
            if abits < 32:
                h = ActivationQuant(abits)(h)
        elif t in ("maxpool", "avgpool"):
            pool = keras.layers.MaxPooling2D if t == "maxpool" else keras.layers.AveragePooling2D
            h = pool(
                pool_size=layer["size"],
                strides=layer.get("stride", layer["size"]),
                padding=layer.get("padding", "valid"),
            )(h)
            if t == "avgpool" and abits < 32:
                h = ActivationQuant(abits)(h)
        elif t == "gap":
            h = keras.layers.GlobalAveragePooling2D()(h)
            if abits < 32:
                h = ActivationQuant(abits)(h)
        elif t == "kwta":
            if kwta and layer["fraction"] < 1:
                h = KWinners(layer["fraction"])(h)
        else:
            raise ValueError(f"unknown layer type {t}")
    return keras.Model(inputs, h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True)
    ap.add_argument("--setting", default="float", choices=["float", "kwta", "quant", "kwta+quant"])
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    training = spec.get("training", {})
    batch = training.get("batchSize", 32)
    keras.utils.set_random_seed(3)
    model = build(spec, args.setting, args.classes)
    optimizer = (
        keras.optimizers.Adam(training.get("learningRate", 0.003))
        if training.get("optimizer", "adam") == "adam"
        else keras.optimizers.SGD(training.get("learningRate", 0.003), momentum=0.9)
    )
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    rng = np.random.default_rng(5)
    n = args.steps * batch
    x = rng.random((n, *spec["input"]["shape"]), dtype=np.float32)
    y = rng.integers(0, args.classes, size=n)
    # Warm-up: tracing and first allocations.
    model.fit(x[: 3 * batch], y[: 3 * batch], batch_size=batch, epochs=1, shuffle=False, verbose=0)
    rates = []
    for _ in range(args.reps):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        rates.append(n / (time.perf_counter() - start))
    print(
        json.dumps(
            {
                "samplesPerSecond": statistics.median(rates),
                "rates": rates,
                "batchSize": batch,
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
