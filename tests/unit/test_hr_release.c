/* gitops_helm_release pieces without a cluster: the Helm 3 release storage codec
 * (round trip, and a release written by the real helm 3.17 `helm install`),
 * index.yaml version selection, semver ordering and redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resources/hr_release.h"

/* data.release of sh.helm.release.v1.demo.v1 as `helm install demo ./mychart
 * --set replicaCount=2` (helm v3.17, chart from `helm create mychart`) left it in
 * the test cluster (kubectl get secret -o json). */
static const char REAL_HELM_SECRET_DATA[] =
    "SDRzSUFBQUFBQUFDLytSOGEzT3F5UHJ2VjdFNHUrcC9UbFdTQlJpem9sWHpRa2hFakNFUmxkdGthb3B1Q0tETlpRUlVuRn"
    "Jm"
    "L1ZRM0YwRnhKWmt6ZTJyWDJhbGFLd0p0OTNQOVBSZTY4eWNWbUw1TkRTakw5a1BxaXZLQzk1QWEvRW05ZTVzNCtkMnlJeF"
    "Jt"
    "dGtVTktKWm03NjRaNXBxOVd6RHNnTDBmTUhjMzNlL2R1N3YrOS90Ymc3cWlrUG5GTDFnMnNoTXlsRnpFY09ORmlSY0cxSU"
    "FT"
    "Z3pneEVlckEwSS93SU9xS2loTXpTV05DYUxIRUZSV0VpWTF2TVRjZHdVNDZpV3QzekNoQ0hqVHhQSjJsUE8yQXJMTkpnOE"
    "FM"
    "SFB3NHR2R1V2aGxZOGVBdDZIVHNmUlJ1a3M3cnk4UHYwdkQ1OFpkLy9lOTFDbXlZb0k1ako1MG90T0xPOVRVV1VCeVowTz"
    "VZ"
    "OXJ1Wm9xUnpqVHB2bEJsRk4zajBKckFUTzc3eHdtOTQ0QzkrQmwxemsxeWRQL1l3VXdHMGY4R2lmcU02MTJGbkZZZEJaQ2"
    "J1"
    "TDIvVW56ZGVZdnZ4ci9Sdk43NmRtSmFabURkNHdoOXYxUCtwa2NxL1NJdWhLRDNLdjcrK3lJdHpnbHZwL1ZmSjRObWFjV1"
    "RE"
    "R3hnR2lla0Y5b2FzanBjaEg2cmJyK0VtcWNpQWJ0aDVveFF2OXBLT215VFI0TnMzaHYxK1E5L1FOOHpnbnI2bk8wbllTV0"
    "83"
    "azRYcHBxNk9Od3AvdnlTM2pVeTg4dlY3dU5tWkc2dEdNNTUwOEs4bTQyOEI5ZU9LSXBMRzFscEtESDh1N0xuUUEzVkZiZT"
    "FO"
    "bkpzVmZjUGMwR2ZHTnV5TWJlUjN5UERPZTdqcFBGVnFvNjRvTS9LVWFvSXRTKzVFeHp2TURYTkg1a3l5Q0M5Yll4aFRpRU"
    "s0"
    "cGdaQml0QVZsZGgraEV4aXNiOVdaRlkzdjBrdmk4ZjVUYkxISk9lOFVNL3pXMGRtRlZvY3k2RXg1MXc0NW1KVGxWeExRRn"
    "Zn"
    "Y2NweXZYUDBZTzNBUUVtQmoxSWo0MmhUVUE3R25Gc0Jsa2wwdGJlR2gvREo3c2FKS0NCZjVIdXFydTRaUTN0T1RiVVhRRj"
    "g1"
    "d0t5SGdEL3lnS0NzeFRIVDU0UGsrM1RPWmJyYUM0ejVjRzBLL1lQRkQrOWU1OE5VOFVleHBTcUhLVjZyTzBHdys1eVM1K0"
    "5u"
    "NTEyam4wU2UrMjVudEFQOVVXcXdTMmNhY0s0bHVBY3lyemQwekxGTXczSHlQYWRsMWpxZkplekplTmpGNDVUVTRMbisreU"
    "xj"
    "VHZFMUw0ZWdLOUZUMzkzQzdzeDUxNWp2ZGpaTW9UQ2lUVHh1RmpyaW1OQ1BnRDhqTk9XOEYvUE1Ja0tmb2U2eGpDTER3M0"
    "xx"
    "MGJxS1VwZ052WVhmWHhzS3Q0WEJ6S3ZMQ3JKS1p2bG9aY3g3dEsxeHFPVEgwTndkNkU1bzhiSDNLajhxNzh2SC9seDVvTm"
    "RQ"
    "UXNMb3ZyS3loSjFqWVAzeGRBTDhVV0pvMGs1WEpZUnBGUG5lM0ZEM1NOY2tORjMzWEtBcUJ5aU1Wc2FjNjcvUGh3bkl1RD"
    "hn"
    "Mjg5NWU2QTlPK3Nkb0tDc3BnR21UejZvQjg2YStyMnRJU2d6VE1QN1hIUXFPclZueCs3R2pxbjJWbUNzckkzNTBBTWFXcG"
    "5D"
    "S0xQNG5tK3ArNWpRTXhlZHFZZlhXMlBkSVh0TWVIY1c2LzZqclBRbnl6WmVCTExtNFcvaUtiSUVKWUZNdk5QbXZZTWxqR2"
    "hM"
    "ZTA1MVZWNFQyMlNWZ3MvUjJoaGorNUQ2b3BmVHFyUHVWaFJjMmhvUDc2YlovZnBJYzFoK25pMll5Ykt3WndUR0VpSjJKMG"
    "hi"
    "RU1pdXFmWU9Jajk1QnV4b1BmTkhzYTcyVm9ZbWZrcnZJai9FTWxyS2k5Q1phek1IcUtPZU9KWmRrMTA2K3B6ekRRMDZRRV"
    "dw"
    "cGNrSVpwd1B1cUpqQ1M0U0gvZGJYWlY1WGQyN3dKY1E5TGpKa3Vkb2tIRWU5bS9MSDBWQXdMNjRUTXQxeW4rcTJtZEVRWE"
    "tC"
    "eDNWMVRWNlpQQmRodjROZDJiWEd5a0VVSmoxeFBHR0EzNHVBRDUwSisvOXFnOXpCOHArZHFRYS9hRXV3WVV0TFdwa3JhL1"
    "J3"
    "MFo3R0VxdG53MlNxTnRZbmZyMzBsZGhRUndkajNudlJWUWJCTHVmcTdCTDc5UmRwR2laVFRVWkE0MkpkazVISVQ3N2JHZj"
    "VY"
    "NFZ4b3FyMjFvVG5PTkpCb1haTVptUFhpRTl1b1llWnc5NFJscENYZnB3SFR4N1FZYW8vZ3B4Z3dGMjIwS1l1SThGaGhZQ0"
    "Fo"
    "R0JpUnppNVRLUFF6NnhONE5XUDNET3pLQ0s3UlRQVGE1N0xHYUVmMGliRlJVRzZMdVdjTFduNWZyRWVTdkdqVENiYzF4cy"
    "9P"
    "ZE02a2RibGpQcWRvZ29DZ3VKQmRwb3VHUFRGOWtXZGlrWis0Y0R4TXphN2lHZG9rTllnUDlDS1E5Y2xjcnhyQi8xUm45NH"
    "do"
    "TEIzUlozbzY2N293bUtWTm5lMHZ6Uk1CckNPc2t3WFRhaWVFRnU5RHZFa01UWFlOWVVUcjh4Nmg3WDB1UmsxY2wxNFhTT2"
    "Jt"
    "eTk1b2lYSThlWjNQUWtLVEt0R0E1d0pEbXpsUTZLLy9BaDZ1bDQvOVI0M3VjWXZsMHBtcTk0NFpZR3pDTWRQcGkwR2N3aT"
    "ZI"
    "OUt4WDZkelFKamtlTm1KQWhXY0lJbksvYVgvOFJEVTFLYko0THJURzh1N0Z1OTgrTDhUdWREVk1uL25iL2N2SzJiMDhEQj"
    "FM"
    "dUhjc0RkT050cFltT3JyRzdZQ0FWcm9tUjRDOTlVajhydmordXIvbWRzZjRvRHZwNnRwa0xmTHkwUWJudzl2bkIyZjM0c2"
    "tQ"
    "QzdxM25DM1JpNnhNOG5nNkxIMGc5eS9lK2VVWDZzZFZTd0wxdTJ1anlON0VOMG1FamptVTNZMjNUMDQwc3NlY2kzTUNnc0"
    "1D"
    "cG4zcEFGWXZycVZRMXliMDFBbi9tSGFySEdodHFFWUUvQXMycWpYR3VaYTZwMFcrOTFCZ1VHNkh0VmhDdnJmc3M0WTJ5VX"
    "hW"
    "UnVKNDUxZ0VyNThkYWZYc3ZQTWNEWDJVTEx1S2Ivam9WdVRGUlBUcUdGRHlqNi92LytEWFVtYW9JeHJIRFZHUWtlR1BHRE"
    "Nl"
    "T1VhZ3hHQzhkcUNtdUVCQXZxa3FhMUVZN1NEUEVSdWZPcEZtekRrYTU0dzZtMy9mNG9mc2M4WVIvSVE0RnVFY2s5aUN0TV"
    "Z5"
    "bWpkOE1KOUhGSXpJVVBkcm1IRXU5SmNPRUZCaWFqSXk4bmhHbXdJNmlMenIyWFA4ZWVuSWo3MUZMbmVTcDVKYzVtbCsrel"
    "JY"
    "ZFFkV2RsUE9YWXZSaFc1S25abmF6TEZZRkFPZXhFd0dzb1MvZ3lnODVyeFhmSDZzU3pJK245Y1RlYWFTdGFucXpoUVpMaG"
    "dy"
    "R0hPTzhhU2h2M0x1ZWw1c01FRFlrL1VYWFFQQllCSmhqQ082eGZMT2lKenZ4YkdjbVNxenNGVEROelhIRVQzYXErWGVlYT"
    "V5"
    "bkgrZDJ4ek93ZitxclZWem44YVFjdTVXREMzNU8zLzJWZHNsOGF1Nmh1TkpCQUxaRjNrUndZeEdNQlBQNDByRmR5NHZTKz"
    "J0"
    "eEFmOVVLd2RBVVZpRE4rSWJIN29UZWZpVDNMOTNyb2gyNkl1SU5kWitEVHJUaERKQ1U3c1RDZmZ3enFVTVA0NXV2Wk04Tk"
    "hn"
    "dWNxbUN6dHljTTVtcUx1VTk4THRrUTdza3lnOXlVMkszdzM4MkVFZnBaYWdPNktuSEtaejVZQmorYXl3MFVJVzFiWGlLeG"
    "xr"
    "U2YxM0wrS2NXTmdUakJXOTJCUDV5YnZvL1ZWNWtUb1JZK1VEcmgweHp6bGYrOE1uK0lwMWRZTEErTG4wbzlCUTk4azBrTU"
    "lw"
    "bTh2MXhjTXhnb3VBTDhXV1NuS3d4RllMM1BVTDJYdkR0TlRWcFJ3QnN0Z1dKUnAwSjgvSE5XOXIvSkE2dC9RTkRvNDVGY2"
    "RO"
    "VSszbmMvc1lDM3NiUzUwZzZQZVFKWkQ2Y3p2dFZycStLMkwzaFRsMkdGdTNsckJzczdsTE9RdXV4VjJEVmRaVGRkTExaZE"
    "h3"
    "cTRXaFRWaFRyZnY5dWEwdUs5N0ZyK2ptUUhLUXJyeUY2NzJyKzBwTS9FMzdpU3hZNGdPNUhENlRxMTNtdTVhcmhlMzU0L3"
    "hU"
    "TVk3NFc0RUhXOFBMcjQvMUdjNHpwSzJsOW1oeExHL0ZzWEl3WmgvamYvWDk1V2lsczMwR0JIS09iOTR3T2JHbjg1cXcrcz"
    "Rz"
    "MVVzTUdiZmxCTzRGbXovR0NtejNUL08yL0YzaFNyNm1mbzVMTlp1TElWdS9QdVlBb2w5OTlqNmlIVnpTd1lrTnR1ZGNlVF"
    "BX"
    "dDRQa0pqUDlXdHFsYTF4VVFkVXFKT2trelByczh5emE0RkxyeGVNZURZMkxRUmNsaHRxamVaOUJsakJhNjVyc3ZqaTRWUG"
    "5Z"
    "Qkp2aCs3WnNRWlZRZEplWDBGd1IwbHRMeGJnQklUeVhraklRbTlGRHpqWkp3US9oMDNFZTNRRituNjZMVmRjVUduU2xsYT"
    "d1"
    "Y2VtZEdtclAxZjA5TXFxV0ZJSHBTR2RIaDlMMWo2cXVuajJBcnBKYUY5cFlJczhkM1hpRjZSazZvc0M0bGlDRml3SUtpTn"
    "o0"
    "RDNsdWh3TWNOb1JlQkh3WmdXRG1TRjVKeDdGc0x1Y0hxa0xycXV4YXd1TmQxYWJJNmUyYW1odzJURTdvcjJkcUx3VmRPVz"
    "li"
    "Qm1Xck1QK2UzbngyVjI5N0VMTWV5MXRWSFNXQUh4TG9KVzFPQWN0cGVGdHZ4NXpMSzc4UHptUlRqYjNnbHBkbDhsTHFodi"
    "tZ"
    "NTFJbkRScS95bE01L2hpaXliMmpUZGJudENKTGNPcHBhd1RVVVdBb0hJYVpoYUZLbWFISlRYb0VsT2lxaFpaakpRWWpDV0"
    "VZ"
    "czhaL3Z3NHV3ZXhQVTRJV0NGdzBRazdUMWkwVzBTWmY5eXR1YXhDZWxNelU1TjZNN2FlV29OeGFEUjFpbjVJWTZDUGFYcE"
    "tT"
    "QTluajJkL092MDdXSGtVQTQyRk5ieUkvVEJvNGQ1clNuOWpDWlY0LzRyUFN3OHJTSnBFMVJnKzRCREEwbDI3NFJYME5vVy"
    "9v"
    "S2hPZjQrSmpkb211S25RMG4rVjJ1QWdkTVNBODFsNUJNSzdCTGxQb0t6dlFsU0pMNkdjMkRrV0xrOWFZbjl2cE5KQmRBNW"
    "RQ"
    "dFZBM1hSZjJzaDd0NE9pWXJyOXJ0TmRLUis0UE04RHVJNzI3THVWK1RoUHhDVzRMQkxTeTV5MnlGUHJacWEvay8rZzhUVm"
    "1F"
    "K2V1TzRhbDhzZCtkdG14bVozVFVXczk1SytwTXJnVWQ0OG5XRXZvcndPN3V4Skg4c0R4Wjd3STJ4S1ptSU9BckI4aHdHV0"
    "Fu"
    "YmJaMk51WWZzSlVMOWoxQnVpcEhIOUNMVThVMWtXbFhta0cvN3htTGhxOTl4cC8zejk2NXJ0c3crQVA1Wm9ZbWJTMXRRbD"
    "dG"
    "MUxFZ3g0a0pnbXlmZ2I2RVR2RGduNlNSQmV5ZUFhb2lrYnhqM0VhbnNRVmpKVEdXRE1IZmZ5K3RsM1JmMEhBaVI4dnZ4NW"
    "JL"
    "bk1qdkkzdDBHbk44aVk3OFZkdWl5cDJhTVNnRnJJeHE1ZG5mSGtNdTZOREZKVDNBOGF1QlVkengvdUlma2s4Z2I0R2daSG"
    "03"
    "dU5mTU04Yk5aeTI1R0EwWTVBSjE5MEhPeFgyeUZleEc1a2s5MGxiSy9UeHZqMXdvb0tyc2YvRTQxOUxrTFdRbEZ3Z29OWE"
    "F0"
    "NDFTMWpBaTZrOGoyU1p5UGx6am5QYzZOb0JNZFh6VVFmZVF0eXArM1JKcmxZU25QMDN5MjRLdTlSQzl6VU8vTTV2SjRFa2"
    "c3"
    "UTgxaldNNlhzdFMxU1dCbzh0eFE5YkorT3BNREhIT0hhVmZmRjgvYjY3bjgyVi9uVTBYcEV1Y0Y1QlhFODFsOFBOWGR5Zm"
    "l5"
    "WmtwMHpaMWp1a3hWY3VHaGJFRWMvYWVwMDE1emZGYStObU9RTlo1RWV2ZTBwdFIvTmhkZHlQSmhPVklVUzBDeHFVVjVuWU"
    "00"
    "aExFZjV3QkdVY0tYdVFONVhiY0luYVd2SEVCWHlYUjJlY3lqai9jYStGTG1HM3FYWStyM0xXR1VHYXh5bHVPVmF5allId1"
    "Yw"
    "Vjd6aWFXSzdNR0lOYmVJYTdBbnRxdzlsK0hXKzJ6QnZYTGFyNnhnOFlpeWhmOURaVVd5cXZRRG5nOUMza1BYSUlLRDJNMX"
    "RS"
    "YUZQZFI3WS9vckd0TGpIbXNBcjJ5Y0NvNFNQR0cxdmpzRjNPcXpoOXhKaGo3RzVpWjJuTGlhRXlXeGlzNjg4S25tY24rV0"
    "Mx"
    "VGxNT0ovclFOUU5CSCtlbVRmclBlZ1YvRS84L2JaTmZ4RlF2Y0RaMkhIOENWMXUzRnVWdDRWTXNTUTFON29MdVpFUDQ4ZV"
    "Bi"
    "b20xWTd4Tk5nRzloblJ6K1UzdEVsM09HNDdZbXZiVUh3cm5BNzIwdElkZFhsY3Q4RUJPbEN6MmkwMTdWVCtsaDl5N3NTbz"
    "A2"
    "czlJYkxjVzZKaDBXQmE0UWYvY3U5cVhhc0RBcWRUWU41TGpDMGJFY24vQllici80NlZhd3dxY1NVWEMzc0N1MzVRL1ZQTT"
    "N0"
    "YUxVNm04UVBvcis5cGZacFk5N2F5Mm5yWGF5Z3I5QU5XUVJGcitUeDJKSnRuK084MW9HQkVodGEwKzZxN1hKdDh2Tnpucy"
    "9s"
    "VU5XTVpFdmM2V3VKa241U2d6NDBjR3luYTNKNGxzdWZ5SkZzbVdpckNYamF5YmRUbExJZzJ4VmF4cDNrclBsV3dPWHBOcX"
    "Jq"
    "K3NmbkplNjFqMnZYVTRXbC9taGxza3BxUEp6WEtxVGZVN3htT2E5bG03SDBzOXVMSmkzMVZxTkgwRXBIc1ZhZ0pMcXZaQV"
    "cv"
    "NjVyK0t6cnpyUjR0dkY2T21SZTJQb1lYY0QyMk4xc1AyaC8wNzYzVjQ1UEpJaXhYWjFuMkptYi8rWGx0bWV1YzVDdzErY2"
    "85"
    "V1BrTVIzb3RSOStnU3gzKzVQdm4raW56cm1YeDNXWWZpTnRCdjA4RFZ0cUNoOUJSSHFYWnNSOWJ4TE44eTFoN3ovOW52ZX"
    "RB"
    "UWtCUVZwYlF6eFlmeWVoaW5DL3N3WVF3VE05ZTYzejVqVmg3MksrSDkrck41MHlWVnFRVk1md0xadldaZHJGUXRQWVBueE"
    "Rs"
    "VDE0RG5JVGY4L1ovbXp6K2dmQlBTaUkyYjlVc3oxdnVTOEFtcUNWOVA1ekpuODlUZXFBUzJyOEFKWWtkSi9uLzF6QU1BaH"
    "Nt"
    "WGhoOEJWaUUvdnBpa2tmMmJINGVWS2FhakdCM2x1aHNQd1ZrYnlQYUFrLzhkeVIvN1Zya0o3VTlFTzRXc0xIMzRuRzBvVW"
    "ww"
    "SGFEYVh3NGNtOGdXYXlIckNCNVZNMTBQbElPdFRyYjI4Vm0xNS8vRjQ4Q2thK0dDSk5CcVRTSG9XNGY4MlpjUzVydFBnRi"
    "sr"
    "RHRtakxic3drSThOOXNjZXNud2x5d0hudHl0cWE2TFVqcW5CbjVUNS91NEZYcEpSZ3o5L1hGRm1tb1F4TkpFWE9QaWhIWm"
    "dB"
    "MlJZMWVEZFJiRjlSdnJtWGJYSzJJcVlHREUxZlViNFgxTzVjVVltNWNleUVmMTB1RXc5NUIzSUc0OVhlUUR0SVRNZW1Cdm"
    "Yw"
    "anl2cVBVVUkyKzNMMXQ1c1BNdk9UeDk1UGhueEp4V2xDTDJHeUlNWk5hREVkeWxNWGpkMmJBY0pkVVZ0N0NpTXZTVGM0R2"
    "VC"
    "NHdWN0NpL3E0Q2wrRkhPOHBnak5iYml4azVnYS9QcmJGVlZVVFlUZElBZ1RRbFdjY3d5UkdjZFM3a1RVMVJuSGJoZ24rVm"
    "tS"
    "L0lrYTVNZGRydTI5NlVmSXZrRWhOTEZmUldiaTVzUHdKMnBBZlN0dUx2SVRLU0llN1dNaDRLWG5rUTI5ZHc5U1AzN0R5a2"
    "dR"
    "b2ZQSEZZVzhyUjNZY2Z5NkNRRVJoWnNra1dDVDR6WDFpY01OSmdVL3BINzh1S0xPWlJtRWxqMjNrUTJUY0pQekdZWFc4Sl"
    "Qz"
    "S0xTbUpyRFI4WEp1dzNUakpSa2ZCb205VC9MN0c5dTB2TDlBMWlZM0RCNkhNR0ljR3pzTzB3MjBpL1hpdHNXS3lFZW1Kdl"
    "Bk"
    "MDlXNUhoNmxjV0p2eEZmcU9IQ1loOGhXM1dKcjl2T255U2ExcnlpNHNjM0VMcThLNk1TVEpTR3lOK1ZYc2Nsc1E1VDY5al"
    "Ar"
    "Y3VOT3Fha1l1clp2bHFlSzNqM1VQRkYwNDlySTk1d2czTmhIMUJVemJxWnJNbTFva3hSbVpJZG1aTEM5TGZTWGpzVzZDSG"
    "lj"
    "WjZrb05rZ0xoOXZwcXJUUlZRdkI3UFpKekxnbDJjMDVsaGc0em5jZWkyTUpvMXNzQ2xZTVdORUI2b2pXV1RjQ1Bvd3hDZ0"
    "NN"
    "aHBxQjhyVGVhVDRYUnFreERGZWkwRU1HbTZPbXlMczc2Q3UrcWJuSTRNdVkraGhOUGU0VitQdWVLUFJUWTA1S0Y4S0RPT1"
    "lR"
    "OUxqWVZIdG82b1NwUEpMZWx6aE44cGVZM21vSG03S1dGcUlnUnpCNGZwcjZWbVR4OS9sdkFRWEE3MmZHTEV6MUlNcW11L3"
    "kz"
    "cVZvcDZFNFE3L1ZDSThOajNhQjI3MkQ1dDF2ZWUzWm1iRDhCbUc1aDR1cHN3a0NlODAxMWorQXUvR01hU0YwNERQK1kraF"
    "BY"
    "Sk5keWtsLzNNMU9GVDA4QmthbXFhNU1JZEpXRCtJZ2VaZTM1YVJwd0dXQWpwSGRuVDFNZnJRMzFjY3Q3WVdvSkRFNFovK0"
    "M5"
    "SGd0WmFXc0l5MjJCcGhoRXd1RGRJNGpadEhuMkI4Yk13SHUzQ1haY1gxKy9CZityTXlkT01PZ1VwK08rL1RUdGV3dU9oOT"
    "hH"
    "blMzekZxeTl3QnAwNWczemZ3dkswM2ZrU0NXMndrSEhzdjN3dWxnRTMwWEUxOG1BVGdjYjZFM3NmaU5QSzFxdXllbThmRV"
    "Q3"
    "MmNwcTZLVkI1UW5MZlAxTG83WWxSMi9GNmIzOFpHTGJVTjhNVE1lMnJrRTJJSWNFMzRMS3I1dENXSVJyT3hoMHNITy9CWi"
    "tW"
    "OVdlRS9OOGwzVGl5SVdFRG8rNmdVNEV1dmtYT3BSWThYcE9yUWVlKzRLalR5WVAvSzdtTG8wQjVQOXFFU1FoRE5PZ3MrTm"
    "Z5"
    "WnM1dU9Td3VndFhnYjVYT2gwWndzbld1YVFkbUZNWGZqc2J3VUkzOUw3V0hBdHZpUVlkdFVabHZKdENkMXBuK0pGT2ZZNn"
    "ZV"
    "V2JsYVhRSDRCelZYL296SXYwRGhaMFgvUmZGL1ZnVjRYS1VHY3RFQVBxblZBUEhQOFZSNVRUTFhuUXM4ZGpva2Y4WjBrdF"
    "I2"
    "Y0U1dE1lUzFTdEVIblhxR1hoOVl4NHJUcGV2b1VQNDBqcnJYWWFXYXNBMUdpTzdyYWZQSmlrV3FPamliekV6Y1FlZmIyZT"
    "B6"
    "OE1JL3pRejQ3MXVCd2dWR3VHNmtqblUxWHArVThkUVZoYkdJR2xDdm9WVlVHTWRqOXQ4KzJRU29aU1R0WWU4MXRGb2g3dT"
    "Ju"
    "eE9WbTh2OE43SFU2dFhxaTRPZU5Lam5DYW51akJoMHNneHBFbnZsYmFmQTd4NjZjbzNBeWtNWVpDUGRIVnlWL0UyUFErZl"
    "Yv"
    "OE9ELythMUN4NDBUNDd0MTJRL3U2WHpBeG80VGM1T1V2aWpaVzN1RHk5aXRuUmN1RkNhUStxMzR5eUNiTk1CSkt2bUtiZj"
    "F1"
    "Sm5tMVdQNkZqK09keURYanZEWWkzWUx5THkwd2VkRkUvbUlFTVZYeU55T29ILzgzQUFELy85Ky9ab0RCUkFBQQ==";

static void test_base64(void **state) {
  (void)state;
  const char *cases[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (size_t i = 0; i < 7; i++) {
    char *e = hr_base64_encode((const unsigned char *)cases[i], strlen(cases[i]));
    assert_string_equal(e, want[i]);
    size_t n = 0;
    unsigned char *d = hr_base64_decode(e, strlen(e), &n);
    assert_non_null(d);
    assert_int_equal(n, strlen(cases[i]));
    assert_memory_equal(d, cases[i], n);
    free(d);
    free(e);
  }
  size_t n;
  assert_null(hr_base64_decode("Zm9v!", 5, &n));
}

static void test_real_helm_release(void **state) {
  (void)state;
  cJSON *secret = cJSON_CreateObject();
  cJSON *data = cJSON_AddObjectToObject(secret, "data");
  cJSON_AddStringToObject(data, "release", REAL_HELM_SECRET_DATA);
  cJSON *rel = NULL;
  char err[256] = "";
  assert_int_equal(hr_release_from_secret(secret, &rel, err, sizeof err), 0);
  assert_string_equal(hr_release_str(rel, "name"), "demo");
  assert_string_equal(hr_release_str(rel, "namespace"), "default");
  assert_int_equal(hr_release_version(rel), 1);
  assert_string_equal(hr_release_str(rel, "info.status"), "deployed");
  assert_string_equal(hr_release_str(rel, "info.description"), "Install complete");
  assert_string_equal(hr_release_str(rel, "chart.metadata.name"), "mychart");
  assert_string_equal(hr_release_str(rel, "chart.metadata.version"), "0.1.0");
  assert_string_equal(hr_release_str(rel, "chart.metadata.appVersion"), "1.16.0");
  const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(rel, "config");
  assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(cfg, "replicaCount")->valuedouble, 2);
  assert_non_null(strstr(hr_release_str(rel, "manifest"), "kind: Deployment"));
  const cJSON *hooks = cJSON_GetObjectItemCaseSensitive(rel, "hooks");
  assert_int_equal(cJSON_GetArraySize(hooks), 1);

  /* Re-encode what helm wrote: our encoding decodes to the same JSON. */
  cJSON *sec2 = hr_release_secret(rel, 1795696096);
  assert_non_null(sec2);
  const cJSON *md = cJSON_GetObjectItemCaseSensitive(sec2, "metadata");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(md, "name")->valuestring,
                      "sh.helm.release.v1.demo.v1");
  const cJSON *labels = cJSON_GetObjectItemCaseSensitive(md, "labels");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(labels, "owner")->valuestring, "helm");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(labels, "status")->valuestring, "deployed");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(labels, "version")->valuestring, "1");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(sec2, "type")->valuestring,
                      "helm.sh/release.v1");
  cJSON *rel2 = NULL;
  assert_int_equal(hr_release_from_secret(sec2, &rel2, err, sizeof err), 0);
  assert_true(cJSON_Compare(rel, rel2, 1));
  cJSON_Delete(rel2);
  cJSON_Delete(sec2);
  cJSON_Delete(rel);
  cJSON_Delete(secret);
}

static void test_build_round_trip(void **state) {
  (void)state;
  char dir[] = "/tmp/test_hr_chart.XXXXXX";
  assert_non_null(mkdtemp(dir));
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "mkdir -p %s/templates && printf 'apiVersion: v2\\nname: c1\\nversion: "
           "1.2.3\\nappVersion: \"9\"\\n' > %s/Chart.yaml && printf 'msg: hi\\n' > %s/values.yaml "
           "&& printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: {{ .Release.Name "
           "}}\\ndata:\\n  msg: {{ .Values.msg }}\\n' > %s/templates/cm.yaml && printf "
           "'apiVersion: batch/v1\\nkind: Job\\nmetadata:\\n  name: pre\\n  annotations:\\n    "
           "helm.sh/hook: pre-install,pre-upgrade\\n    helm.sh/hook-weight: \"-1\"\\n    "
           "helm.sh/hook-delete-policy: hook-succeeded\\nspec: {}\\n' > %s/templates/job.yaml && "
           "printf 'hello {{ .Release.Name }}' > %s/templates/NOTES.txt",
           dir, dir, dir, dir, dir, dir);
  assert_int_equal(system(cmd), 0);
  helm_chart *c = NULL;
  helm_error he = {0};
  assert_int_equal(helm_chart_load(dir, NULL, &c, &he), 0);
  helm_value *user = helm_value_map();
  assert_int_equal(helm_strvals_parse("msg=yo", HELM_SET, user, &he), 0);
  helm_render_options ro = {.release_name = "r1", .namespace_ = "ns1"};
  helm_release r = {0};
  assert_int_equal(helm_render(c, user, &ro, &r, &he), 0);
  cJSON *rel = hr_release_build("r1", "ns1", 3, "pending-upgrade", "Upgrade complete",
                                "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", c, user, &r);
  assert_non_null(rel);
  char *enc = hr_release_encode(rel);
  cJSON *back = NULL;
  char err[256];
  assert_int_equal(hr_release_decode(enc, strlen(enc), &back, err, sizeof err), 0);
  assert_true(cJSON_Compare(rel, back, 1));
  assert_string_equal(hr_release_str(back, "chart.metadata.version"), "1.2.3");
  assert_string_equal(hr_release_str(back, "info.notes"), "hello r1");
  assert_string_equal(hr_release_str(back, "info.status"), "pending-upgrade");
  assert_int_equal(hr_release_version(back), 3);
  assert_non_null(strstr(hr_release_str(back, "manifest"), "msg: yo"));
  const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(back, "config");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(cfg, "msg")->valuestring, "yo");
  const cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(back, "hooks"), 0);
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "name")->valuestring, "pre");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "kind")->valuestring, "Job");
  const cJSON *ev = cJSON_GetObjectItemCaseSensitive(h, "events");
  assert_int_equal(cJSON_GetArraySize(ev), 2);
  assert_string_equal(cJSON_GetArrayItem(ev, 1)->valuestring, "pre-upgrade");
  assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(h, "weight")->valuedouble, -1);
  assert_string_equal(
      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(h, "delete_policies"), 0)->valuestring,
      "hook-succeeded");
  const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(back, "chart"), "templates");
  assert_true(cJSON_GetArraySize(tpl) >= 2);
  assert_int_equal(hr_release_set_status(back, "deployed", NULL), 0);
  assert_string_equal(hr_release_str(back, "info.status"), "deployed");
  assert_string_equal(hr_release_str(back, "info.description"), "Upgrade complete");
  /* Plain JSON (no gzip) is accepted too, as by Helm. */
  char *plain = cJSON_PrintUnformatted(rel);
  char *b = hr_base64_encode((unsigned char *)plain, strlen(plain));
  cJSON *back2 = NULL;
  assert_int_equal(hr_release_decode(b, strlen(b), &back2, err, sizeof err), 0);
  assert_true(cJSON_Compare(rel, back2, 1));
  assert_int_equal(hr_release_decode("!!", 2, &back2, err, sizeof err), -1);
  cJSON_Delete(back2);
  free(b);
  free(plain);
  cJSON_Delete(back);
  free(enc);
  cJSON_Delete(rel);
  helm_release_free(&r);
  helm_value_free(user);
  helm_chart_free(c);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

static const char INDEX[] = "apiVersion: v1\n"
                            "entries:\n"
                            "  web:\n"
                            "  - version: 1.10.0\n"
                            "    appVersion: \"2.0\"\n"
                            "    digest: abc\n"
                            "    urls: [web-1.10.0.tgz]\n"
                            "  - version: 1.9.3\n"
                            "    urls: [\"https://cdn.example/charts/web-1.9.3.tgz\"]\n"
                            "  - version: 2.0.0-rc.1\n"
                            "    urls: [web-2.0.0-rc.1.tgz]\n"
                            "  - version: 1.2.0\n"
                            "    urls: [/sub/web-1.2.0.tgz]\n"
                            "generated: \"2026-01-01T00:00:00Z\"\n";

static void test_index_select(void **state) {
  (void)state;
  hr_chart_version v;
  char err[256];
  const char *repo = "http://127.0.0.1:8000/charts/";
  assert_int_equal(hr_index_select(INDEX, strlen(INDEX), repo, "web", NULL, &v, err, sizeof err),
                   0);
  assert_string_equal(v.version, "1.10.0"); /* latest stable, numeric order */
  assert_string_equal(v.app_version, "2.0");
  assert_string_equal(v.digest, "abc");
  assert_string_equal(v.url, "http://127.0.0.1:8000/charts/web-1.10.0.tgz");
  hr_chart_version_clear(&v);
  assert_int_equal(hr_index_select(INDEX, strlen(INDEX), repo, "web", "~1.9", &v, err, sizeof err),
                   0);
  assert_string_equal(v.version, "1.9.3");
  assert_string_equal(v.url, "https://cdn.example/charts/web-1.9.3.tgz");
  hr_chart_version_clear(&v);
  assert_int_equal(
      hr_index_select(INDEX, strlen(INDEX), repo, "web", "2.0.0-rc.1", &v, err, sizeof err), 0);
  assert_string_equal(v.version, "2.0.0-rc.1"); /* exact string */
  hr_chart_version_clear(&v);
  assert_int_equal(
      hr_index_select(INDEX, strlen(INDEX), repo, "web", ">=1.0.0 <1.5", &v, err, sizeof err), 0);
  assert_string_equal(v.version, "1.2.0");
  assert_string_equal(v.url, "http://127.0.0.1:8000/charts/sub/web-1.2.0.tgz");
  hr_chart_version_clear(&v);
  assert_int_equal(hr_index_select(INDEX, strlen(INDEX), repo, "web", "3.x", &v, err, sizeof err),
                   -1);
  assert_non_null(strstr(err, "version \"3.x\" not found"));
  assert_int_equal(hr_index_select(INDEX, strlen(INDEX), repo, "nope", NULL, &v, err, sizeof err),
                   -1);
  assert_non_null(strstr(err, "chart \"nope\" not found"));
  assert_int_equal(hr_index_select("{{{", 3, repo, "web", NULL, &v, err, sizeof err), -1);
}

static void test_semver_compare(void **state) {
  (void)state;
  assert_true(hr_semver_compare("1.10.0", "1.9.0") > 0);
  assert_true(hr_semver_compare("1.0.0", "1.0.0-rc.1") > 0);
  assert_true(hr_semver_compare("1.0.0-rc.2", "1.0.0-rc.10") < 0);
  assert_true(hr_semver_compare("1.0.0-alpha", "1.0.0-alpha.1") < 0);
  assert_true(hr_semver_compare("v2.0.0", "2.0.0") == 0);
  assert_true(hr_semver_compare("1.0.0+build", "1.0.0") == 0);
  assert_true(hr_semver_compare("junk", "0.0.1") < 0);
}

static void test_redaction(void **state) {
  (void)state;
  cJSON *s =
      cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\","
                  "\"annotations\":{\"a\":\"pw=hunter2\"}},\"data\":{\"k\":\"aHVudGVyMg==\"},"
                  "\"stringData\":{\"p\":\"hunter2\"}}");
  const char *sens[] = {"hunter2", ""};
  hr_redact_object(s, sens, 2);
  char *out = cJSON_PrintUnformatted(s);
  assert_null(strstr(out, "hunter2"));
  assert_null(strstr(out, "aHVudGVyMg"));
  assert_non_null(strstr(out, "\"k\":\"++++++++\""));
  assert_non_null(strstr(out, "\"p\":\"++++++++\""));
  assert_non_null(strstr(out, "\"a\":\"++++++++\""));
  free(out);
  cJSON_Delete(s);
  cJSON *cm = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"k\":\"v\","
                          "\"l\":[\"x-hunter2\"]}}");
  hr_redact_object(cm, sens, 2);
  out = cJSON_PrintUnformatted(cm);
  assert_string_equal(out, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"k\":\"v\","
                           "\"l\":[\"++++++++\"]}}");
  free(out);
  cJSON_Delete(cm);
  char *t = hr_redact_text("a hunter2 b hunter2", sens, 2);
  assert_string_equal(t, "a ++++++++ b ++++++++");
  free(t);
  char name[128];
  hr_secret_name("web", 12, name, sizeof name);
  assert_string_equal(name, "sh.helm.release.v1.web.v12");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_base64),           cmocka_unit_test(test_real_helm_release),
      cmocka_unit_test(test_build_round_trip), cmocka_unit_test(test_index_select),
      cmocka_unit_test(test_semver_compare),   cmocka_unit_test(test_redaction),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
