global using DataType = Nabla.Onnx.Protobuf.TensorProto.Types.DataType;
