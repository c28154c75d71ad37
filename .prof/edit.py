import sys
class Edit:
    def __init__(self, path):
        self.path=path; self.s=open(path).read(); self.fail=[]
    def rep(self, old, new, count=1):
        n=self.s.count(old)
        if n!=count:
            self.fail.append((n, old[:100])); return False
        self.s=self.s.replace(old,new); return True
    def done(self):
        if self.fail:
            for f in self.fail: print('FAILED', self.path, f)
            print('NOT WRITTEN', self.path); sys.exit(1)
        open(self.path,'w').write(self.s); print('written', self.path)
