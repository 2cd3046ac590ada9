package reports

import (
	"bytes"
	"encoding/binary"
	"math"
	"sync"
)

// srgbProfile returns an ICC version 2.1 display profile of sRGB
// (IEC 61966-2.1), made here rather than copied from elsewhere: the
// documents' output intent embeds it (PDF/A-2 §6.2.3) so that their
// DeviceRGB colours have a defined meaning. It is a matrix/TRC profile:
// the sRGB primaries adapted to the D50 connection space with the Bradford
// transform (the values every sRGB profile carries), and the sRGB transfer
// curve sampled at 1024 points. The bytes never change, so documents stay
// byte-identical; the header date is fixed for that reason.
func srgbProfile() []byte {
	srgbOnce.Do(func() { srgbICC = buildSRGBProfile() })
	return srgbICC
}

var (
	srgbOnce sync.Once
	srgbICC  []byte
)

// srgbDescription names the profile, in its desc tag and in the output
// intent's OutputConditionIdentifier.
const srgbDescription = "sRGB IEC61966-2.1"

func buildSRGBProfile() []byte {
	type tag struct {
		sig  string
		data []byte
	}
	curve := srgbCurve(1024)
	tags := []tag{
		{"desc", textDescription(srgbDescription)},
		{"cprt", textTag("No copyright, use freely")},
		{"wtpt", xyzTag(0.9642, 1.0, 0.8249)},
		{"rXYZ", xyzTag(0.4360747, 0.2225045, 0.0139322)},
		{"gXYZ", xyzTag(0.3850649, 0.7168786, 0.0971045)},
		{"bXYZ", xyzTag(0.1430804, 0.0606169, 0.7141733)},
		{"rTRC", curve},
		{"gTRC", curve},
		{"bTRC", curve},
	}
	const headerSize = 128
	offset := headerSize + 4 + 12*len(tags)
	var table, data bytes.Buffer
	binary.Write(&table, binary.BigEndian, uint32(len(tags)))
	shared := map[string]int{} // the three curves share their data
	for _, t := range tags {
		at, ok := shared[string(t.data)]
		if !ok {
			at = offset + data.Len()
			shared[string(t.data)] = at
			data.Write(t.data)
			for data.Len()%4 != 0 {
				data.WriteByte(0)
			}
		}
		table.WriteString(t.sig)
		binary.Write(&table, binary.BigEndian, uint32(at))
		binary.Write(&table, binary.BigEndian, uint32(len(t.data)))
	}
	size := offset + data.Len()
	h := make([]byte, headerSize)
	binary.BigEndian.PutUint32(h[0:], uint32(size))
	binary.BigEndian.PutUint32(h[8:], 0x02100000) // version 2.1
	copy(h[12:], "mntr")
	copy(h[16:], "RGB ")
	copy(h[20:], "XYZ ")
	for i, v := range []uint16{2026, 12, 6, 0, 0, 0} {
		binary.BigEndian.PutUint16(h[24+2*i:], v)
	}
	copy(h[36:], "acsp")
	copy(h[68:], xyzNumbers(0.9642, 1.0, 0.8249)) // the D50 connection space illuminant
	out := make([]byte, 0, size)
	out = append(out, h...)
	out = append(out, table.Bytes()...)
	return append(out, data.Bytes()...)
}

// s15Fixed16 encodes v as an ICC signed 15.16 fixed-point number.
func s15Fixed16(v float64) uint32 { return uint32(int32(math.Round(v * 65536))) }

func xyzNumbers(x, y, z float64) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint32(b[0:], s15Fixed16(x))
	binary.BigEndian.PutUint32(b[4:], s15Fixed16(y))
	binary.BigEndian.PutUint32(b[8:], s15Fixed16(z))
	return b
}

func xyzTag(x, y, z float64) []byte {
	return append([]byte("XYZ \x00\x00\x00\x00"), xyzNumbers(x, y, z)...)
}

// textTag is an ICC v2 textType: ASCII with a terminating NUL.
func textTag(s string) []byte {
	return append([]byte("text\x00\x00\x00\x00"+s), 0)
}

// textDescription is an ICC v2 textDescriptionType with an ASCII
// description and empty Unicode and ScriptCode ones.
func textDescription(s string) []byte {
	var b bytes.Buffer
	b.WriteString("desc\x00\x00\x00\x00")
	binary.Write(&b, binary.BigEndian, uint32(len(s)+1))
	b.WriteString(s)
	b.WriteByte(0)
	b.Write(make([]byte, 4+4+2+1+67)) // Unicode language and count, ScriptCode code and count, its 67 bytes
	return b.Bytes()
}

// srgbCurve samples the sRGB transfer function (IEC 61966-2.1) at n points
// as an ICC curveType.
func srgbCurve(n int) []byte {
	var b bytes.Buffer
	b.WriteString("curv\x00\x00\x00\x00")
	binary.Write(&b, binary.BigEndian, uint32(n))
	for i := 0; i < n; i++ {
		v := float64(i) / float64(n-1)
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		binary.Write(&b, binary.BigEndian, uint16(math.Round(v*65535)))
	}
	return b.Bytes()
}
