/**
 * A small ONNX graph builder over {@link ProtoWriter}: named initializers, nodes with attributes,
 * and ModelProto serialisation (IR version 8, default-domain opset 13 unless asked for a later one).
 */
import { ProtoWriter } from './protobuf';

export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
type DataType = (typeof DT)[keyof typeof DT];

type AttrValue = number | number[] | string | { floats: number[] };

interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

interface Init {
  name: string;
  type: DataType;
  dims: number[];
  raw: Uint8Array;
}

function raw(values: ArrayLike<number>, type: DataType): Uint8Array {
  switch (type) {
    case DT.FLOAT:
      return new Uint8Array(Float32Array.from(values).buffer);
    case DT.UINT8:
      return Uint8Array.from(values);
    case DT.INT8:
      return new Uint8Array(Int8Array.from(values).buffer);
    case DT.INT32:
      return new Uint8Array(Int32Array.from(values).buffer);
    default:
      return new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
  }
}

export class GraphBuilder {
  private nodes: Node[] = [];
  private inits: Init[] = [];
  private counter = 0;

  name(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** Adds an initializer; `dims` [] is a scalar. Returns its name. */
  constant(prefix: string, type: DataType, dims: number[], values: ArrayLike<number>): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`${prefix}: ${values.length} values for [${dims}]`);
    const name = this.name(prefix);
    this.inits.push({ name, type, dims, raw: raw(values, type) });
    return name;
  }

  /** Adds a node with one output (or `outputs` names) and returns the first output's name. */
  node(
    op: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    outputs?: string[]
  ): string {
    const outs = outputs ?? [this.name(op.toLowerCase())];
    this.nodes.push({ op, inputs, outputs: outs, attrs });
    return outs[0];
  }

  encode(opts: {
    input: { name: string; type: DataType; dims: number[] };
    outputs: { name: string; type: DataType; dims: number[] }[];
    producer: string;
    docString?: string;
    /** Default-domain opset (13 unless an op needs a later one, e.g. STFT needs 17). */
    opset?: number;
  }): Uint8Array {
    const valueInfo = (w: ProtoWriter, v: { name: string; type: DataType; dims: number[] }) => {
      w.string(1, v.name);
      w.message(2, (t) =>
        t.message(1, (tt) => {
          tt.int(1, v.type);
          tt.message(2, (shape) => {
            for (const d of v.dims) shape.message(1, (dim) => dim.int(1, d));
          });
        })
      );
    };
    const model = new ProtoWriter();
    model.int(1, 8); // ir_version
    model.string(2, opts.producer);
    model.string(3, '1');
    if (opts.docString) model.string(6, opts.docString);
    model.message(7, (g) => {
      for (const n of this.nodes) {
        g.message(1, (w) => {
          for (const i of n.inputs) w.string(1, i);
          for (const o of n.outputs) w.string(2, o);
          w.string(3, `${n.op}_${n.outputs[0]}`);
          w.string(4, n.op);
          for (const [name, value] of Object.entries(n.attrs)) {
            w.message(5, (a) => {
              a.string(1, name);
              if (typeof value === 'number') {
                if (Number.isInteger(value)) a.int(3, value).int(20, 2);
                else a.float(2, value).int(20, 1);
              } else if (typeof value === 'string') a.string(4, value).int(20, 3);
              else if (Array.isArray(value)) {
                for (const v of value) a.int(8, v);
                a.int(20, 7);
              } else {
                for (const v of value.floats) a.float(7, v);
                a.int(20, 6);
              }
            });
          }
        });
      }
      g.string(2, 'quench');
      for (const t of this.inits) {
        g.message(5, (w) => {
          for (const d of t.dims) w.int(1, d);
          w.int(2, t.type);
          w.string(8, t.name);
          w.bytes(9, t.raw);
        });
      }
      g.message(11, (w) => valueInfo(w, opts.input));
      for (const o of opts.outputs) g.message(12, (w) => valueInfo(w, o));
    });
    model.message(8, (w) => w.string(1, '').int(2, opts.opset ?? 13));
    return model.finish();
  }
}
