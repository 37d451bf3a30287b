"""Checks the moto patches that moto_serial.py loads (moto_tx.py, moto_scale.py): the same
writes, transactions and queries give the same answers, the same table and the same
stream with and without them. Queries: partitions, a key range, a filter, pages both
ways, an update that moves an item to another partition, a base table query.
Transactions: one that commits, and cancelled ones (a failed condition after a put, an
update and a delete; two operations on one item) that must leave nothing behind.
Run by infra/local/test.sh and infra/bench/catalog-search.sh."""
import sys, random
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parent))
import boto3
from moto import mock_aws
def run():
    ddb=boto3.client('dynamodb',region_name='us-east-1')
    ad=[{'AttributeName':a,'AttributeType':'S'} for a in ['PK','SK','SPK','SP']]
    ddb.create_table(TableName='t',BillingMode='PAY_PER_REQUEST',AttributeDefinitions=ad,
      KeySchema=[{'AttributeName':'PK','KeyType':'HASH'},{'AttributeName':'SK','KeyType':'RANGE'}],
      StreamSpecification={'StreamEnabled':True,'StreamViewType':'NEW_AND_OLD_IMAGES'},
      GlobalSecondaryIndexes=[{'IndexName':'PPP','KeySchema':[{'AttributeName':'SPK','KeyType':'HASH'},{'AttributeName':'SP','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'}}])
    r=random.Random(5); b=[]
    for i in range(800):
        it={'PK':{'S':f'P#{r.randint(0,500)}'},'SK':{'S':f'I#{i}'},'SPK':{'S':f'C#{r.randint(0,5)}'},'SP':{'S':f'{r.randint(0,50):04}'},'x':{'N':str(r.randint(0,9))}}
        b.append({'PutRequest':{'Item':it}})
        if len(b)==25: ddb.batch_write_item(RequestItems={'t':b}); b=[]
    ddb.update_item(TableName='t',Key={'PK':{'S':'P#1'},'SK':{'S':'I#0'}},UpdateExpression='SET SPK = :s, SP = :p',ExpressionAttributeValues={':s':{'S':'C#9'},':p':{'S':'0001'}})
    out=[]
    for part in ['C#0','C#3','C#9','C#77']:
        for fwd in [True, False]:
            start=None
            while True:
                kw=dict(TableName='t',IndexName='PPP',KeyConditionExpression='SPK = :p AND SP BETWEEN :a AND :b',FilterExpression='x > :z',ExpressionAttributeValues={':p':{'S':part},':a':{'S':'0010'},':b':{'S':'0040'},':z':{'N':'3'}},Limit=37,ScanIndexForward=fwd)
                if start: kw['ExclusiveStartKey']=start
                q=ddb.query(**kw); out.append([i['SK']['S'] for i in q['Items']])
                start=q.get('LastEvaluatedKey')
                if not start: break
    q=ddb.query(TableName='t',KeyConditionExpression='PK = :p',ExpressionAttributeValues={':p':{'S':'P#7'}}); out.append([i['SK']['S'] for i in q['Items']])
    key=lambda pk,sk: {'PK':{'S':pk},'SK':{'S':sk}}
    put=lambda pk,sk,cond=None: {'Put':dict({'TableName':'t','Item':dict(key(pk,sk),SPK={'S':'C#1'},SP={'S':'0020'},x={'N':'5'})},**({'ConditionExpression':cond} if cond else {}))}
    ddb.transact_write_items(TransactItems=[put('T#1','a','attribute_not_exists(PK)'),put('T#1','b'),
        {'Update':{'TableName':'t','Key':key('P#1','I#0'),'UpdateExpression':'SET x = :n','ExpressionAttributeValues':{':n':{'N':'8'}}}}])
    cancelled=[
        [put('T#2','a'),{'Update':{'TableName':'t','Key':key('T#1','a'),'UpdateExpression':'SET x = :n','ExpressionAttributeValues':{':n':{'N':'1'}}}},
         {'Delete':{'TableName':'t','Key':key('T#1','b')}},
         {'ConditionCheck':{'TableName':'t','Key':key('P#1','I#0'),'ConditionExpression':'x = :z','ExpressionAttributeValues':{':z':{'N':'0'}}}}],
        [put('T#3','a'),{'Delete':{'TableName':'t','Key':key('T#3','a')}}],
    ]
    for items in cancelled:
        try: ddb.transact_write_items(TransactItems=items); out.append('committed')
        except ddb.exceptions.ClientError as e: out.append(e.response['Error']['Code'])
    rows=[]; start=None
    while True:
        kw=dict(TableName='t'); start and kw.update(ExclusiveStartKey=start)
        page=ddb.scan(**kw); rows+=page['Items']; start=page.get('LastEvaluatedKey')
        if not start: break
    out.append(sorted(str(sorted((k,str(v)) for k,v in i.items())) for i in rows))
    from moto.dynamodb.models import dynamodb_backends
    shard=dynamodb_backends['123456789012']['us-east-1'].tables['t'].stream_shard
    out.append([(r.event_name if hasattr(r,'event_name') else r.to_json()['eventName']) for r in shard.items])
    return out
with mock_aws(): plain=run()
import moto_tx, moto_scale  # noqa: E401,F401  (the order moto_serial.py loads them in)
with mock_aws(): fast=run()
for i,(a,b) in enumerate(zip(plain,fast)):
    assert a == b, f'the moto patches change answer #{i}: {str(a)[:300]} != {str(b)[:300]}'
assert len(plain) == len(fast)
assert plain[-4:-2] == ['TransactionCanceledException', 'ValidationException'], plain[-4:-2]
print(f'moto patches: {len(plain)-4} query pages, 3 transactions, {len(plain[-2])} items and {len(plain[-1])} stream records: same as plain moto')
