package main

import (
	"fmt"

	"github.com/golang/protobuf/proto"
)

func protoMarshal(v interface{}) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("not a proto message: %T", v)
	}
	return proto.Marshal(m)
}

func protoUnmarshal(data []byte, v interface{}) error {
	m, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("not a proto message: %T", v)
	}
	return proto.Unmarshal(data, m)
}
