/**
 * The part of the ONNX protobuf schema that export writes, as a protobufjs reflection root (the
 * encoding itself is protobufjs's). Field numbers and types are those of onnx/onnx.proto (IR
 * version 8): ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto,
 * TypeProto(.Tensor), TensorShapeProto(.Dimension), OperatorSetIdProto, StringStringEntryProto.
 */
import protobuf from 'protobufjs';

const field = (id: number, type: string, rule?: 'repeated') => (rule ? { id, type, rule } : { id, type });

const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: field(1, 'int64'),
            opsetImport: field(8, 'OperatorSetIdProto', 'repeated'),
            producerName: field(2, 'string'),
            producerVersion: field(3, 'string'),
            domain: field(4, 'string'),
            modelVersion: field(5, 'int64'),
            docString: field(6, 'string'),
            graph: field(7, 'GraphProto'),
            metadataProps: field(14, 'StringStringEntryProto', 'repeated'),
          },
        },
        OperatorSetIdProto: { fields: { domain: field(1, 'string'), version: field(2, 'int64') } },
        StringStringEntryProto: { fields: { key: field(1, 'string'), value: field(2, 'string') } },
        GraphProto: {
          fields: {
            node: field(1, 'NodeProto', 'repeated'),
            name: field(2, 'string'),
            initializer: field(5, 'TensorProto', 'repeated'),
            docString: field(10, 'string'),
            input: field(11, 'ValueInfoProto', 'repeated'),
            output: field(12, 'ValueInfoProto', 'repeated'),
          },
        },
        NodeProto: {
          fields: {
            input: field(1, 'string', 'repeated'),
            output: field(2, 'string', 'repeated'),
            name: field(3, 'string'),
            opType: field(4, 'string'),
            attribute: field(5, 'AttributeProto', 'repeated'),
            docString: field(6, 'string'),
            domain: field(7, 'string'),
          },
        },
        AttributeProto: {
          fields: {
            name: field(1, 'string'),
            f: field(2, 'float'),
            i: field(3, 'int64'),
            s: field(4, 'bytes'),
            floats: field(7, 'float', 'repeated'),
            ints: field(8, 'int64', 'repeated'),
            type: field(20, 'AttributeType'),
          },
          nested: {
            AttributeType: {
              values: { UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 },
            },
          },
        },
        TensorProto: {
          fields: {
            dims: field(1, 'int64', 'repeated'),
            dataType: field(2, 'int32'),
            name: field(8, 'string'),
            rawData: field(9, 'bytes'),
            docString: field(12, 'string'),
          },
        },
        ValueInfoProto: {
          fields: { name: field(1, 'string'), type: field(2, 'TypeProto'), docString: field(3, 'string') },
        },
        TypeProto: {
          fields: { tensorType: field(1, 'Tensor'), denotation: field(6, 'string') },
          nested: {
            Tensor: { fields: { elemType: field(1, 'int32'), shape: field(2, 'TensorShapeProto') } },
          },
        },
        TensorShapeProto: {
          fields: { dim: field(1, 'Dimension', 'repeated') },
          nested: {
            Dimension: {
              fields: {
                dimValue: field(1, 'int64'),
                dimParam: field(2, 'string'),
                denotation: field(3, 'string'),
              },
            },
          },
        },
      },
    },
  },
};

/** TensorProto.DataType.FLOAT */
export const ONNX_FLOAT = 1;
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, INTS: 7 } as const;

let modelType: protobuf.Type | undefined;

/** The onnx.ModelProto message type (built once). */
export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}
