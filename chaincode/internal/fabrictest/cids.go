package fabrictest

// Published content identifiers, so that CID checks are tested against values
// they did not make.
const (
	// HelloRawCID is "hello world" added with --raw-leaves --cid-version 1: its
	// digest is the plain SHA-256 of the bytes, HelloSHA256.
	HelloRawCID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
	HelloSHA256 = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
	// DocsCIDv1 is a dag-pb CIDv1 from the IPFS documentation.
	DocsCIDv1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
	// HelloCIDv0 is "hello world" added with the defaults of older Kubo.
	HelloCIDv0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
)
