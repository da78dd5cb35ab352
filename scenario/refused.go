package scenario

import (
	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/yamlx"
)

// A Lambda alias splits requests between two versions by weight, and does
// nothing else (docs/lambda.md): it has no replicas to scale, no header or
// cookie routes, no request mirroring. Argo Rollouts steps and Flagger
// analysis keys that need one of those are refused with that reason, at
// their line, rather than as unknown keys (docs/plans.md).
var (
	refusedArgoSteps = map[string]string{
		"experiment":     "an experiment runs extra ReplicaSets beside the rollout and analyses them; a Lambda alias has versions, not replicas, and splits requests by weight only",
		"setCanaryScale": "it scales the canary's replicas apart from its traffic weight; a Lambda alias has no replicas: its weight is all there is (use setWeight)",
		"setHeaderRoute": "it routes requests that carry a header to the canary; a Lambda alias has no header routes: it splits requests by weight only",
		"setMirrorRoute": "it mirrors (copies) requests to the canary; a Lambda alias cannot copy requests: it splits them by weight only",
		"plugin":         "a step plugin runs code of its own that shiftsim cannot model; a Lambda alias splits requests by weight only",
	}
	refusedFlaggerKeys = map[string]string{
		"match":           "A/B testing sends requests that match headers or cookies to the canary; a Lambda alias has no header or cookie routes: it splits requests by weight only",
		"mirror":          "mirroring copies requests to the canary; a Lambda alias cannot copy requests: it splits them by weight only",
		"mirrorWeight":    "mirroring copies requests to the canary; a Lambda alias cannot copy requests: it splits them by weight only",
		"sessionAffinity": "session affinity pins a user to the canary with a cookie; a Lambda alias picks the version of each request by weight alone",
	}
)

// refuse reports the first key of mapping n that refused names, with its
// reason, at the key's line.
func refuse(d *yamlx.Decoder, n *yaml.Node, path, what string, refused map[string]string) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if why, ok := refused[k.Value]; ok {
			return d.Errorf(k, path+"."+k.Value, "not supported on a Lambda alias: %s. %s", why, what)
		}
	}
	return nil
}

type plainArgoStep ArgoStep

// UnmarshalYAMLX decodes a canary step, refusing Argo's steps an alias
// cannot carry out with the reason.
func (s *ArgoStep) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, path string) error {
	if err := refuse(d, n, path, "A canary step here is setWeight, pause or analysis (docs/plans.md).", refusedArgoSteps); err != nil {
		return err
	}
	return d.DecodeNode(n, path, (*plainArgoStep)(s))
}

type plainFlaggerAnalysis FlaggerAnalysis

// UnmarshalYAMLX decodes Flagger's analysis, refusing A/B testing,
// mirroring and session affinity with the reason.
func (a *FlaggerAnalysis) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, path string) error {
	if err := refuse(d, n, path, "What an alias runs is Flagger's weighted canary (stepWeight or stepWeights) or blue/green (iterations) (docs/plans.md).", refusedFlaggerKeys); err != nil {
		return err
	}
	return d.DecodeNode(n, path, (*plainFlaggerAnalysis)(a))
}
